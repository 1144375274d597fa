import type { LanguageStrings } from './language-strings.js';

// Worded to read naturally in both Brazil and Portugal, as on the hosted pages: no tu/você-specific verb forms where
// a neutral one exists ("pode ignorar", "use este código").
export const pt: LanguageStrings = {
  login: {
    subject: 'Entrar em {{app_name}}',
    intro: 'Aqui está o seu link para entrar em {{app_name}} como {{identifier}}.',
    button: 'Entrar',
    ignore: 'Se não pediu para entrar, pode ignorar este e-mail com toda a segurança.',
    sms: '{{app_name}}: link para entrar {{link_url}}{{#code}} ou use o código {{code}}{{/code}} (expira em {{expires_in}})',
  },
  verifyEmail: {
    subject: 'Confirme o seu e-mail para {{app_name}}',
    intro: 'Confirme que {{identifier}} é o seu endereço de e-mail para {{app_name}}.',
    button: 'Confirmar e-mail',
    ignore: 'Se não foi você que pediu, pode ignorar este e-mail com toda a segurança.',
    sms: '{{app_name}}: link para confirmar o seu e-mail {{link_url}}{{#code}} ou use o código {{code}}{{/code}} (expira em {{expires_in}})',
  },
  verifyPhone: {
    subject: 'Confirme o seu número de telefone para {{app_name}}',
    intro: 'Confirme que {{identifier}} é o seu número de telefone para {{app_name}}.',
    button: 'Confirmar número de telefone',
    ignore: 'Se não foi você que pediu, pode ignorar este e-mail com toda a segurança.',
    sms: '{{app_name}}: link para confirmar o seu telefone {{link_url}}{{#code}} ou use o código {{code}}{{/code}} (expira em {{expires_in}})',
  },
  invite: {
    subject: 'Convite para {{app_name}}',
    intro: 'Recebeu um convite para entrar em {{app_name}}. Aceite o convite para começar.',
    button: 'Aceitar o convite',
    ignore: 'Se não esperava este convite, pode ignorar este e-mail com toda a segurança.',
    sms: 'Convite para {{app_name}}: {{link_url}}{{#code}} ou use o código {{code}}{{/code}} (expira em {{expires_in}})',
  },
  expires: 'Este link expira em {{expires_in}}.',
  expiresWithCode: 'O link e o código expiram em {{expires_in}}.',
  code: 'Ou use este código: {{code}}',
  copyLink: 'Se o botão não funcionar, copie este link para o navegador:',
};
