import type { LanguageStrings } from './language-strings.js';

// The app's name cannot be declined, so it stands where the nominative reads well ("{{app_name}}: …", "w usłudze
// {{app_name}}"), as on the hosted pages. The SMS keep to words without Polish letters so that, with a typical
// link, they fit in one segment.
export const pl: LanguageStrings = {
  login: {
    subject: '{{app_name}}: link do logowania',
    intro: 'Oto Twój link do logowania w usłudze {{app_name}} jako {{identifier}}.',
    button: 'Zaloguj się',
    ignore: 'Jeśli to nie Ty próbujesz się zalogować, po prostu zignoruj tę wiadomość.',
    sms: '{{app_name}}: link do logowania {{link_url}}{{#code}} lub kod {{code}}{{/code}} (wygasa za {{expires_in}})',
  },
  verifyEmail: {
    subject: '{{app_name}}: potwierdź adres e-mail',
    intro: 'Potwierdź, że {{identifier}} to Twój adres e-mail w usłudze {{app_name}}.',
    button: 'Potwierdź adres e-mail',
    ignore: 'Jeśli to nie Ty, po prostu zignoruj tę wiadomość.',
    sms: '{{app_name}}: link do potwierdzenia adresu e-mail {{link_url}}{{#code}} lub kod {{code}}{{/code}} (wygasa za {{expires_in}})',
  },
  verifyPhone: {
    subject: '{{app_name}}: potwierdź numer telefonu',
    intro: 'Potwierdź, że {{identifier}} to Twój numer telefonu w usłudze {{app_name}}.',
    button: 'Potwierdź numer telefonu',
    ignore: 'Jeśli to nie Ty, po prostu zignoruj tę wiadomość.',
    sms: '{{app_name}}: link do potwierdzenia numeru {{link_url}}{{#code}} lub kod {{code}}{{/code}} (wygasa za {{expires_in}})',
  },
  invite: {
    subject: '{{app_name}}: zaproszenie',
    intro: 'Masz zaproszenie do usługi {{app_name}}. Przyjmij je, aby zacząć.',
    button: 'Przyjmij zaproszenie',
    ignore: 'Jeśli nie spodziewasz się tego zaproszenia, po prostu zignoruj tę wiadomość.',
    sms: '{{app_name}}: Twoje zaproszenie {{link_url}}{{#code}} lub kod {{code}}{{/code}} (wygasa za {{expires_in}})',
  },
  expires: 'Link wygasa za {{expires_in}}.',
  expiresWithCode: 'Link i kod wygasają za {{expires_in}}.',
  code: 'Możesz też wpisać ten kod: {{code}}',
  copyLink: 'Jeśli przycisk nie działa, skopiuj ten link do przeglądarki:',
};
