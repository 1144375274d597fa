/**
 * The words of the built-in messages, one file per language. Each string is a mustache template over the variables
 * in `TEMPLATE_VARIABLES`; `default-templates.ts` puts them into the subject, the text and HTML bodies and the SMS.
 * Strings hold no HTML: the layout escapes them and adds the markup.
 *
 * SMS strings stay in the GSM-7 alphabet where the language allows (no typographic apostrophes, dashes or
 * no-break spaces), so that a message with a typical link fits in one segment.
 */
import type { Language } from '../../pages/languages.js';
import { de } from './strings-de.js';
import { en } from './strings-en.js';
import { es } from './strings-es.js';
import { fr } from './strings-fr.js';
import { it } from './strings-it.js';
import { pl } from './strings-pl.js';
import { pt } from './strings-pt.js';
import { zh } from './strings-zh.js';

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

export const STRINGS: Record<Language, LanguageStrings> = { en, de, es, fr, it, pl, pt, zh };
