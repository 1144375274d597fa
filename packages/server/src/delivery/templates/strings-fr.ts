import type { LanguageStrings } from './language-strings.js';

// Formal address (vous), as on the hosted pages. French typography wants a no-break space before : ? ! ; — written
// as an escape so it stays visible in review. SMS use a plain space: the no-break space is outside the GSM alphabet.
const NBSP = '\u00a0';

export const fr: LanguageStrings = {
  login: {
    subject: 'Connexion à {{app_name}}',
    intro: 'Voici votre lien pour vous connecter à {{app_name}} en tant que {{identifier}}.',
    button: 'Se connecter',
    ignore: 'Si vous n’avez pas demandé à vous connecter, vous pouvez ignorer cet e-mail.',
    sms: '{{app_name}} : connectez-vous avec {{link_url}}{{#code}} ou avec le code {{code}}{{/code}} (expire dans {{expires_in}})',
  },
  verifyEmail: {
    subject: 'Vérifiez votre adresse e-mail pour {{app_name}}',
    intro: 'Confirmez que {{identifier}} est bien votre adresse e-mail pour {{app_name}}.',
    button: 'Vérifier mon adresse e-mail',
    ignore: 'Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail.',
    sms: '{{app_name}} : validez votre e-mail avec {{link_url}}{{#code}} ou avec le code {{code}}{{/code}} (expire dans {{expires_in}})',
  },
  verifyPhone: {
    subject: 'Vérifiez votre numéro de téléphone pour {{app_name}}',
    intro: 'Confirmez que {{identifier}} est bien votre numéro de téléphone pour {{app_name}}.',
    button: 'Vérifier mon numéro',
    ignore: 'Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail.',
    sms: '{{app_name}} : validez votre numéro avec {{link_url}}{{#code}} ou avec le code {{code}}{{/code}} (expire dans {{expires_in}})',
  },
  invite: {
    subject: 'Invitation à rejoindre {{app_name}}',
    intro: 'Une invitation à rejoindre {{app_name}} vous attend. Acceptez-la pour commencer.',
    button: 'Accepter l’invitation',
    ignore: 'Si vous ne vous attendiez pas à cette invitation, vous pouvez ignorer cet e-mail.',
    sms: 'Invitation à rejoindre {{app_name}} : {{link_url}}{{#code}} ou avec le code {{code}}{{/code}} (expire dans {{expires_in}})',
  },
  expires: 'Ce lien expire dans {{expires_in}}.',
  expiresWithCode: 'Ce lien et le code expirent dans {{expires_in}}.',
  code: `Ou saisissez ce code${NBSP}: {{code}}`,
  copyLink: `Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur${NBSP}:`,
};
