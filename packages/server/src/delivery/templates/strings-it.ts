import type { LanguageStrings } from './language-strings.js';

// Informal address (tu), as on the hosted pages.
export const it: LanguageStrings = {
  login: {
    subject: 'Accedi a {{app_name}}',
    intro: 'Ecco il tuo link per accedere a {{app_name}} come {{identifier}}.',
    button: 'Accedi',
    ignore: 'Se non hai chiesto di accedere, puoi tranquillamente ignorare questa email.',
    sms: '{{app_name}}: accedi con {{link_url}}{{#code}} o con il codice {{code}}{{/code}} (scade tra {{expires_in}})',
  },
  verifyEmail: {
    subject: 'Verifica la tua email per {{app_name}}',
    intro: 'Conferma che {{identifier}} è il tuo indirizzo email per {{app_name}}.',
    button: 'Verifica la mia email',
    ignore: 'Se non l’hai chiesto tu, puoi tranquillamente ignorare questa email.',
    sms: '{{app_name}}: verifica la tua email con {{link_url}}{{#code}} o con il codice {{code}}{{/code}} (scade tra {{expires_in}})',
  },
  verifyPhone: {
    subject: 'Verifica il tuo numero di telefono per {{app_name}}',
    intro: 'Conferma che {{identifier}} è il tuo numero di telefono per {{app_name}}.',
    button: 'Verifica il mio numero',
    ignore: 'Se non l’hai chiesto tu, puoi tranquillamente ignorare questa email.',
    sms: '{{app_name}}: verifica il tuo numero con {{link_url}}{{#code}} o con il codice {{code}}{{/code}} (scade tra {{expires_in}})',
  },
  invite: {
    subject: 'Invito a unirti a {{app_name}}',
    intro: 'Hai ricevuto un invito a unirti a {{app_name}}. Accettalo per iniziare.',
    button: 'Accetta l’invito',
    ignore: 'Se non ti aspettavi questo invito, puoi tranquillamente ignorare questa email.',
    sms: 'Invito a unirti a {{app_name}}: {{link_url}}{{#code}} o con il codice {{code}}{{/code}} (scade tra {{expires_in}})',
  },
  expires: 'Questo link scade tra {{expires_in}}.',
  expiresWithCode: 'Il link e il codice scadono tra {{expires_in}}.',
  code: 'Oppure inserisci questo codice: {{code}}',
  copyLink: 'Se il pulsante non funziona, copia questo link nel browser:',
};
