/** The shape of one language's words for the built-in messages (strings-xx.ts; put together in strings.ts). */

/** The words of one message kind. */
export interface KindStrings {
  /** The subject line, also the heading of the HTML body. Names the app. */
  subject: string;
  /** One or two sentences under the heading, naming the app; the link or button follows. */
  intro: string;
  /** The label of the HTML button. */
  button: string;
  /** The closing line for whoever did not ask for the message. */
  ignore: string;
  /** The whole SMS, with `{{link_url}}`, `{{expires_in}}` and the code in a `{{#code}}…{{/code}}` section. */
  sms: string;
}

export interface LanguageStrings {
  login: KindStrings;
  /** `verify_identifier` when the identifier is an email address. */
  verifyEmail: KindStrings;
  /** `verify_identifier` when the identifier is a phone number. */
  verifyPhone: KindStrings;
  invite: KindStrings;
  /** "This link expires in {{expires_in}}." */
  expires: string;
  /** The same when the message also carries a code, which expires with the link. */
  expiresWithCode: string;
  /** The code line, with `{{code}}` exactly once (the HTML body sets the code in large type). */
  code: string;
  /** Above the link printed as text in the HTML body, for when the button does not work. */
  copyLink: string;
}
