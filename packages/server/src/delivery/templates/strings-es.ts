import type { LanguageStrings } from './language-strings.js';

// Informal address (tú), as on the hosted pages. The SMS says "accede" rather than "inicia sesión" so that, without
// a code, it stays in the GSM alphabet (ó is outside it) and fits in one segment.
export const es: LanguageStrings = {
  login: {
    subject: 'Inicia sesión en {{app_name}}',
    intro: 'Aquí tienes tu enlace para iniciar sesión en {{app_name}} como {{identifier}}.',
    button: 'Iniciar sesión',
    ignore: 'Si no has intentado iniciar sesión, puedes ignorar este correo sin problema.',
    sms: '{{app_name}}: accede con {{link_url}}{{#code}} o con el código {{code}}{{/code}} (caduca en {{expires_in}})',
  },
  verifyEmail: {
    subject: 'Verifica tu correo para {{app_name}}',
    intro: 'Confirma que {{identifier}} es tu dirección de correo para {{app_name}}.',
    button: 'Verificar mi correo',
    ignore: 'Si no lo has pedido tú, puedes ignorar este correo sin problema.',
    sms: '{{app_name}}: verifica tu correo con {{link_url}}{{#code}} o con el código {{code}}{{/code}} (caduca en {{expires_in}})',
  },
  verifyPhone: {
    subject: 'Verifica tu número de teléfono para {{app_name}}',
    intro: 'Confirma que {{identifier}} es tu número de teléfono para {{app_name}}.',
    button: 'Verificar mi teléfono',
    ignore: 'Si no lo has pedido tú, puedes ignorar este correo sin problema.',
    sms: '{{app_name}}: verifica tu teléfono con {{link_url}}{{#code}} o con el código {{code}}{{/code}} (caduca en {{expires_in}})',
  },
  invite: {
    subject: 'Te han invitado a {{app_name}}',
    intro: 'Te han invitado a unirte a {{app_name}}. Acepta la invitación para empezar.',
    button: 'Aceptar la invitación',
    ignore: 'Si no esperabas esta invitación, puedes ignorar este correo sin problema.',
    sms: 'Te han invitado a {{app_name}}: {{link_url}}{{#code}} o usa el código {{code}}{{/code}} (caduca en {{expires_in}})',
  },
  expires: 'Este enlace caduca en {{expires_in}}.',
  expiresWithCode: 'El enlace y el código caducan en {{expires_in}}.',
  code: 'O introduce este código: {{code}}',
  copyLink: 'Si el botón no funciona, copia este enlace en tu navegador:',
};
