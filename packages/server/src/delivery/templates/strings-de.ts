import type { LanguageStrings } from './language-strings.js';

// Formal address (Sie), as on the hosted pages. "{{expires_in}} gültig" keeps the duration in the accusative, which
// is the form Intl gives ("15 Minuten", "7 Tage"); "läuft in … ab" would need the dative ("7 Tagen").
export const de: LanguageStrings = {
  login: {
    subject: 'Bei {{app_name}} anmelden',
    intro: 'Hier ist Ihr Link, um sich bei {{app_name}} als {{identifier}} anzumelden.',
    button: 'Anmelden',
    ignore: 'Falls Sie sich nicht anmelden wollten, können Sie diese E-Mail einfach ignorieren.',
    sms: '{{app_name}}: Anmelden mit {{link_url}}{{#code}} oder mit dem Code {{code}}{{/code}} ({{expires_in}} gültig)',
  },
  verifyEmail: {
    subject: 'E-Mail-Adresse für {{app_name}} bestätigen',
    intro: 'Bitte bestätigen Sie, dass {{identifier}} Ihre E-Mail-Adresse für {{app_name}} ist.',
    button: 'E-Mail-Adresse bestätigen',
    ignore: 'Falls Sie das nicht angefordert haben, können Sie diese E-Mail einfach ignorieren.',
    sms: '{{app_name}}: E-Mail-Adresse bestätigen mit {{link_url}}{{#code}} oder mit dem Code {{code}}{{/code}} ({{expires_in}} gültig)',
  },
  verifyPhone: {
    subject: 'Telefonnummer für {{app_name}} bestätigen',
    intro: 'Bitte bestätigen Sie, dass {{identifier}} Ihre Telefonnummer für {{app_name}} ist.',
    button: 'Telefonnummer bestätigen',
    ignore: 'Falls Sie das nicht angefordert haben, können Sie diese E-Mail einfach ignorieren.',
    sms: '{{app_name}}: Nummer bestätigen mit {{link_url}}{{#code}} oder mit dem Code {{code}}{{/code}} ({{expires_in}} gültig)',
  },
  invite: {
    subject: 'Einladung zu {{app_name}}',
    intro: 'Sie wurden zu {{app_name}} eingeladen. Nehmen Sie die Einladung an, um loszulegen.',
    button: 'Einladung annehmen',
    ignore: 'Falls Sie keine Einladung erwartet haben, können Sie diese E-Mail einfach ignorieren.',
    sms: 'Einladung zu {{app_name}}: {{link_url}}{{#code}} oder mit dem Code {{code}}{{/code}} ({{expires_in}} gültig)',
  },
  expires: 'Dieser Link ist {{expires_in}} gültig.',
  expiresWithCode: 'Link und Code sind {{expires_in}} gültig.',
  code: 'Oder geben Sie diesen Code ein: {{code}}',
  copyLink: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:',
};
