import type { Language } from './languages.js';

/**
 * The strings of the hosted login pages (the form, the "check your messages" page, and the approval page another
 * device sees). Placeholders: `{app}` the app's name, `{identifier}` the masked email or phone, `{device}` a
 * description of the requesting browser, `{time}` how long ago it asked, `{browser}`/`{system}` inside `device`.
 */
export interface LoginMessages {
  leadEmail: string;
  leadPhone: string;
  emailLabel: string;
  phoneLabel: string;
  sendButton: string;
  usePhone: string;
  useEmail: string;
  checkEmailTitle: string;
  checkPhoneTitle: string;
  checkLead: string;
  checkHowTo: string;
  codeLabel: string;
  codeButton: string;
  waitingNote: string;
  finishButton: string;
  startOver: string;
  approveTitle: string;
  approveLead: string;
  approveFrom: string;
  device: string;
  unknownDevice: string;
  approveWarning: string;
  approveButton: string;
  denyButton: string;
  approvedTitle: string;
  approvedBody: string;
  deniedTitle: string;
  deniedBody: string;
  doneElsewhere: string;
  errorCodeInvalid: string;
  errorCodeExhausted: string;
  errorRateLimited: string;
  errorNotApproved: string;
  errorExpired: string;
  errorIdentifier: string;
  errorGeneric: string;
  /** An app that cannot finish a sign-in (no redirect set): said to the person, with a note for whoever runs it. */
  setupTitle: string;
  setupBody: string;
  setupOperatorNote: string;
}

const NBSP = '\u00a0';

export const loginMessages: Record<Language, LoginMessages> = {
  en: {
    leadEmail: 'Enter your email address. We’ll send you a link and a code to sign in with.',
    leadPhone: 'Enter your phone number. We’ll text you a link and a code to sign in with.',
    emailLabel: 'Email address',
    phoneLabel: 'Phone number, with country code (e.g. +44 7700 900123)',
    sendButton: 'Send me a sign-in link',
    usePhone: 'Use a phone number instead',
    useEmail: 'Use an email address instead',
    checkEmailTitle: 'Check your email',
    checkPhoneTitle: 'Check your phone',
    checkLead: 'If {identifier} can sign in to {app}, a message with a link and a code is on its way.',
    checkHowTo: 'Open the link on this device or on another one, or type the code here.',
    codeLabel: 'Code from the message',
    codeButton: 'Sign in with the code',
    waitingNote: 'Opened the link on another device? Approve there, and this page signs you in.',
    finishButton: 'I approved it on my other device',
    startOver: 'Use a different email or phone number',
    approveTitle: 'Approve sign-in on your other device?',
    approveLead: 'Someone asked to sign in to {app} as {identifier}.',
    approveFrom: 'The request came from {device}, {time}.',
    device: '{browser} on {system}',
    unknownDevice: 'an unknown browser',
    approveWarning: 'Approve only if you made this request yourself. This device will not be signed in.',
    approveButton: 'Yes, sign me in there',
    denyButton: 'No, it wasn’t me',
    approvedTitle: 'Sign-in approved',
    approvedBody: 'Go back to your other device: it is signing you in now. You can close this page.',
    deniedTitle: 'Sign-in refused',
    deniedBody: 'Nobody was signed in. You can close this page.',
    doneElsewhere: 'You’re signed in, in another tab or window. You can close this page.',
    errorCodeInvalid: 'That code isn’t right, or it has expired. Check it and try again.',
    errorCodeExhausted:
      'Too many wrong tries: this code no longer works. Use the link in the message, or start again.',
    errorRateLimited: 'Too many attempts. Wait a few minutes, then try again.',
    errorNotApproved: 'Not approved yet. Open the link in the message and approve, or type the code.',
    errorExpired: 'This sign-in request has expired. Please start again.',
    errorIdentifier: 'Enter a valid email address, or a phone number with its country code.',
    errorGeneric: 'Something went wrong. Please try again.',
    setupTitle: 'Sign-in is not set up yet',
    setupBody:
      'This site has not said where to take you after you sign in, so signing in cannot finish. Please tell the people who run it; there is nothing you need to do.',
    setupOperatorNote: 'For whoever runs this site:',
  },
  de: {
    leadEmail: 'Geben Sie Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link und einen Code zur Anmeldung.',
    leadPhone:
      'Geben Sie Ihre Telefonnummer ein. Wir senden Ihnen per SMS einen Link und einen Code zur Anmeldung.',
    emailLabel: 'E-Mail-Adresse',
    phoneLabel: 'Telefonnummer mit Ländervorwahl (z. B. +49 151 23456789)',
    sendButton: 'Anmeldelink senden',
    usePhone: 'Stattdessen Telefonnummer verwenden',
    useEmail: 'Stattdessen E-Mail-Adresse verwenden',
    checkEmailTitle: 'Sehen Sie in Ihr E-Mail-Postfach',
    checkPhoneTitle: 'Sehen Sie auf Ihr Telefon',
    checkLead:
      'Falls {identifier} sich bei {app} anmelden kann, ist eine Nachricht mit Link und Code unterwegs.',
    checkHowTo: 'Öffnen Sie den Link auf diesem oder einem anderen Gerät, oder geben Sie hier den Code ein.',
    codeLabel: 'Code aus der Nachricht',
    codeButton: 'Mit Code anmelden',
    waitingNote:
      'Link auf einem anderen Gerät geöffnet? Bestätigen Sie dort, dann meldet diese Seite Sie an.',
    finishButton: 'Ich habe auf dem anderen Gerät bestätigt',
    startOver: 'Andere E-Mail-Adresse oder Telefonnummer verwenden',
    approveTitle: 'Anmeldung auf Ihrem anderen Gerät bestätigen?',
    approveLead: 'Jemand möchte sich bei {app} als {identifier} anmelden.',
    approveFrom: 'Die Anfrage kam von {device}, {time}.',
    device: '{browser} unter {system}',
    unknownDevice: 'einem unbekannten Browser',
    approveWarning:
      'Bestätigen Sie nur, wenn Sie die Anfrage selbst gestellt haben. Dieses Gerät wird nicht angemeldet.',
    approveButton: 'Ja, dort anmelden',
    denyButton: 'Nein, das war ich nicht',
    approvedTitle: 'Anmeldung bestätigt',
    approvedBody:
      'Kehren Sie zu Ihrem anderen Gerät zurück – es meldet Sie jetzt an. Sie können diese Seite schließen.',
    deniedTitle: 'Anmeldung abgelehnt',
    deniedBody: 'Niemand wurde angemeldet. Sie können diese Seite schließen.',
    doneElsewhere: 'Sie sind in einem anderen Tab oder Fenster angemeldet. Sie können diese Seite schließen.',
    errorCodeInvalid:
      'Dieser Code stimmt nicht oder ist abgelaufen. Prüfen Sie ihn und versuchen Sie es erneut.',
    errorCodeExhausted:
      'Zu viele falsche Versuche: Dieser Code gilt nicht mehr. Nutzen Sie den Link in der Nachricht oder beginnen Sie neu.',
    errorRateLimited: 'Zu viele Versuche. Warten Sie ein paar Minuten und versuchen Sie es dann erneut.',
    errorNotApproved:
      'Noch nicht bestätigt. Öffnen Sie den Link in der Nachricht und bestätigen Sie, oder geben Sie den Code ein.',
    errorExpired: 'Diese Anmeldeanfrage ist abgelaufen. Bitte beginnen Sie neu.',
    errorIdentifier: 'Geben Sie eine gültige E-Mail-Adresse oder eine Telefonnummer mit Ländervorwahl ein.',
    errorGeneric: 'Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.',
    setupTitle: 'Die Anmeldung ist noch nicht eingerichtet',
    setupBody:
      'Diese Website hat nicht festgelegt, wohin Sie nach der Anmeldung geleitet werden, daher kann die Anmeldung nicht abgeschlossen werden. Bitte sagen Sie den Betreibern Bescheid; Sie selbst müssen nichts tun.',
    setupOperatorNote: 'Für die Betreiber dieser Website:',
  },
  es: {
    leadEmail: 'Escribe tu correo electrónico. Te enviaremos un enlace y un código para iniciar sesión.',
    leadPhone:
      'Escribe tu número de teléfono. Te enviaremos por SMS un enlace y un código para iniciar sesión.',
    emailLabel: 'Correo electrónico',
    phoneLabel: 'Número de teléfono, con prefijo del país (p. ej., +34 612 345 678)',
    sendButton: 'Enviarme un enlace de acceso',
    usePhone: 'Usar un número de teléfono',
    useEmail: 'Usar un correo electrónico',
    checkEmailTitle: 'Revisa tu correo',
    checkPhoneTitle: 'Revisa tu teléfono',
    checkLead:
      'Si {identifier} puede iniciar sesión en {app}, te llegará un mensaje con un enlace y un código.',
    checkHowTo: 'Abre el enlace en este dispositivo o en otro, o escribe aquí el código.',
    codeLabel: 'Código del mensaje',
    codeButton: 'Iniciar sesión con el código',
    waitingNote: '¿Abriste el enlace en otro dispositivo? Apruébalo allí y esta página iniciará tu sesión.',
    finishButton: 'Ya lo aprobé en mi otro dispositivo',
    startOver: 'Usar otro correo o número de teléfono',
    approveTitle: '¿Aprobar el inicio de sesión en tu otro dispositivo?',
    approveLead: 'Alguien ha pedido iniciar sesión en {app} como {identifier}.',
    approveFrom: 'La solicitud llegó desde {device}, {time}.',
    device: '{browser} en {system}',
    unknownDevice: 'un navegador desconocido',
    approveWarning: 'Apruébalo solo si hiciste tú la solicitud. En este dispositivo no se iniciará sesión.',
    approveButton: 'Sí, iniciar sesión allí',
    denyButton: 'No, no fui yo',
    approvedTitle: 'Inicio de sesión aprobado',
    approvedBody: 'Vuelve a tu otro dispositivo: ya está iniciando tu sesión. Puedes cerrar esta página.',
    deniedTitle: 'Inicio de sesión rechazado',
    deniedBody: 'No se ha iniciado ninguna sesión. Puedes cerrar esta página.',
    doneElsewhere: 'Has iniciado sesión en otra pestaña o ventana. Puedes cerrar esta página.',
    errorCodeInvalid: 'El código no es correcto o ha caducado. Revísalo e inténtalo de nuevo.',
    errorCodeExhausted:
      'Demasiados intentos fallidos: este código ya no sirve. Usa el enlace del mensaje o empieza de nuevo.',
    errorRateLimited: 'Demasiados intentos. Espera unos minutos y vuelve a intentarlo.',
    errorNotApproved: 'Aún no está aprobado. Abre el enlace del mensaje y apruébalo, o escribe el código.',
    errorExpired: 'Esta solicitud de inicio de sesión ha caducado. Empieza de nuevo.',
    errorIdentifier: 'Escribe un correo válido o un número de teléfono con su prefijo de país.',
    errorGeneric: 'Algo ha fallado. Inténtalo de nuevo.',
    setupTitle: 'El inicio de sesión aún no está configurado',
    setupBody:
      'Este sitio no ha indicado adónde llevarle después de iniciar sesión, así que el inicio de sesión no puede terminar. Avise a quienes lo gestionan; usted no tiene que hacer nada.',
    setupOperatorNote: 'Para quienes gestionan este sitio:',
  },
  fr: {
    leadEmail: `Saisissez votre adresse e-mail. Nous vous enverrons un lien et un code pour vous connecter.`,
    leadPhone: `Saisissez votre numéro de téléphone. Nous vous enverrons par SMS un lien et un code pour vous connecter.`,
    emailLabel: 'Adresse e-mail',
    phoneLabel: 'Numéro de téléphone, avec l’indicatif du pays (ex. +33 6 12 34 56 78)',
    sendButton: 'Recevoir un lien de connexion',
    usePhone: 'Utiliser plutôt un numéro de téléphone',
    useEmail: 'Utiliser plutôt une adresse e-mail',
    checkEmailTitle: 'Consultez vos e-mails',
    checkPhoneTitle: 'Consultez votre téléphone',
    checkLead: `Si {identifier} peut se connecter à {app}, un message avec un lien et un code est en route.`,
    checkHowTo: 'Ouvrez le lien sur cet appareil ou sur un autre, ou saisissez le code ici.',
    codeLabel: 'Code reçu dans le message',
    codeButton: 'Se connecter avec le code',
    waitingNote: `Lien ouvert sur un autre appareil${NBSP}? Approuvez-y la demande et cette page vous connectera.`,
    finishButton: 'J’ai approuvé sur mon autre appareil',
    startOver: 'Utiliser une autre adresse ou un autre numéro',
    approveTitle: `Approuver la connexion sur votre autre appareil${NBSP}?`,
    approveLead: 'Quelqu’un a demandé à se connecter à {app} en tant que {identifier}.',
    approveFrom: 'La demande vient de {device}, {time}.',
    device: '{browser} sous {system}',
    unknownDevice: 'un navigateur inconnu',
    approveWarning: `N’approuvez que si vous avez fait cette demande vous-même. Cet appareil ne sera pas connecté.`,
    approveButton: 'Oui, me connecter là-bas',
    denyButton: 'Non, ce n’était pas moi',
    approvedTitle: 'Connexion approuvée',
    approvedBody: `Revenez sur votre autre appareil${NBSP}: il vous connecte maintenant. Vous pouvez fermer cette page.`,
    deniedTitle: 'Connexion refusée',
    deniedBody: 'Personne n’a été connecté. Vous pouvez fermer cette page.',
    doneElsewhere:
      'Vous êtes connecté dans un autre onglet ou une autre fenêtre. Vous pouvez fermer cette page.',
    errorCodeInvalid: 'Ce code est incorrect ou a expiré. Vérifiez-le et réessayez.',
    errorCodeExhausted: `Trop d’essais incorrects${NBSP}: ce code ne fonctionne plus. Utilisez le lien du message ou recommencez.`,
    errorRateLimited: 'Trop de tentatives. Patientez quelques minutes, puis réessayez.',
    errorNotApproved: 'Pas encore approuvé. Ouvrez le lien du message et approuvez, ou saisissez le code.',
    errorExpired: 'Cette demande de connexion a expiré. Veuillez recommencer.',
    errorIdentifier:
      'Saisissez une adresse e-mail valide, ou un numéro de téléphone avec l’indicatif du pays.',
    errorGeneric: 'Une erreur s’est produite. Veuillez réessayer.',
    setupTitle: 'La connexion n’est pas encore configurée',
    setupBody: `Ce site n’a pas indiqué où vous conduire après la connexion, la connexion ne peut donc pas aboutir. Prévenez les personnes qui le gèrent${NBSP}; vous n’avez rien à faire.`,
    setupOperatorNote: `Pour les personnes qui gèrent ce site${NBSP}:`,
  },
  it: {
    leadEmail: 'Inserisci il tuo indirizzo email. Ti invieremo un link e un codice per accedere.',
    leadPhone: 'Inserisci il tuo numero di telefono. Ti invieremo via SMS un link e un codice per accedere.',
    emailLabel: 'Indirizzo email',
    phoneLabel: 'Numero di telefono, con prefisso internazionale (es. +39 312 345 6789)',
    sendButton: 'Inviami un link di accesso',
    usePhone: 'Usa invece un numero di telefono',
    useEmail: 'Usa invece un indirizzo email',
    checkEmailTitle: 'Controlla la tua email',
    checkPhoneTitle: 'Controlla il tuo telefono',
    checkLead: 'Se {identifier} può accedere a {app}, è in arrivo un messaggio con un link e un codice.',
    checkHowTo: 'Apri il link su questo dispositivo o su un altro, oppure inserisci qui il codice.',
    codeLabel: 'Codice del messaggio',
    codeButton: 'Accedi con il codice',
    waitingNote: 'Hai aperto il link su un altro dispositivo? Approva lì e questa pagina ti farà accedere.',
    finishButton: 'Ho approvato sull’altro dispositivo',
    startOver: 'Usa un’altra email o un altro numero',
    approveTitle: 'Approvare l’accesso sull’altro dispositivo?',
    approveLead: 'Qualcuno ha chiesto di accedere a {app} come {identifier}.',
    approveFrom: 'La richiesta è arrivata da {device}, {time}.',
    device: '{browser} su {system}',
    unknownDevice: 'un browser sconosciuto',
    approveWarning:
      'Approva solo se hai fatto tu la richiesta. Su questo dispositivo non verrà effettuato l’accesso.',
    approveButton: 'Sì, fammi accedere lì',
    denyButton: 'No, non sono stato io',
    approvedTitle: 'Accesso approvato',
    approvedBody: 'Torna all’altro dispositivo: sta effettuando l’accesso. Puoi chiudere questa pagina.',
    deniedTitle: 'Accesso rifiutato',
    deniedBody: 'Nessuno ha effettuato l’accesso. Puoi chiudere questa pagina.',
    doneElsewhere: 'Hai effettuato l’accesso in un’altra scheda o finestra. Puoi chiudere questa pagina.',
    errorCodeInvalid: 'Il codice non è corretto o è scaduto. Controllalo e riprova.',
    errorCodeExhausted:
      'Troppi tentativi errati: questo codice non funziona più. Usa il link nel messaggio oppure ricomincia.',
    errorRateLimited: 'Troppi tentativi. Attendi qualche minuto e riprova.',
    errorNotApproved:
      'Non ancora approvato. Apri il link nel messaggio e approva, oppure inserisci il codice.',
    errorExpired: 'Questa richiesta di accesso è scaduta. Ricomincia.',
    errorIdentifier:
      'Inserisci un indirizzo email valido o un numero di telefono con prefisso internazionale.',
    errorGeneric: 'Qualcosa è andato storto. Riprova.',
    setupTitle: 'L’accesso non è ancora configurato',
    setupBody:
      'Questo sito non ha indicato dove portarti dopo l’accesso, quindi l’accesso non può concludersi. Avvisa chi lo gestisce; tu non devi fare nulla.',
    setupOperatorNote: 'Per chi gestisce questo sito:',
  },
  pl: {
    leadEmail: 'Wpisz swój adres e-mail. Wyślemy Ci link i kod do zalogowania.',
    leadPhone: 'Wpisz swój numer telefonu. Wyślemy Ci SMS-em link i kod do zalogowania.',
    emailLabel: 'Adres e-mail',
    phoneLabel: 'Numer telefonu z kierunkowym kraju (np. +48 512 345 678)',
    sendButton: 'Wyślij mi link do logowania',
    usePhone: 'Użyj numeru telefonu',
    useEmail: 'Użyj adresu e-mail',
    checkEmailTitle: 'Sprawdź pocztę',
    checkPhoneTitle: 'Sprawdź telefon',
    checkLead: 'Jeśli {identifier} może logować się do {app}, wiadomość z linkiem i kodem jest już w drodze.',
    checkHowTo: 'Otwórz link na tym lub innym urządzeniu albo wpisz tutaj kod.',
    codeLabel: 'Kod z wiadomości',
    codeButton: 'Zaloguj się kodem',
    waitingNote: 'Otwarto link na innym urządzeniu? Zatwierdź tam, a ta strona Cię zaloguje.',
    finishButton: 'Zatwierdziłem na drugim urządzeniu',
    startOver: 'Użyj innego adresu e-mail lub numeru telefonu',
    approveTitle: 'Zatwierdzić logowanie na Twoim drugim urządzeniu?',
    approveLead: 'Ktoś chce zalogować się do {app} jako {identifier}.',
    approveFrom: 'Prośba przyszła z: {device}, {time}.',
    device: '{browser} w systemie {system}',
    unknownDevice: 'nieznana przeglądarka',
    approveWarning:
      'Zatwierdź tylko wtedy, gdy to Ty wysłałeś prośbę. To urządzenie nie zostanie zalogowane.',
    approveButton: 'Tak, zaloguj mnie tam',
    denyButton: 'Nie, to nie ja',
    approvedTitle: 'Logowanie zatwierdzone',
    approvedBody: 'Wróć do drugiego urządzenia – właśnie Cię loguje. Możesz zamknąć tę stronę.',
    deniedTitle: 'Logowanie odrzucone',
    deniedBody: 'Nikt nie został zalogowany. Możesz zamknąć tę stronę.',
    doneElsewhere: 'Jesteś zalogowany w innej karcie lub oknie. Możesz zamknąć tę stronę.',
    errorCodeInvalid: 'Kod jest nieprawidłowy lub wygasł. Sprawdź go i spróbuj ponownie.',
    errorCodeExhausted:
      'Zbyt wiele błędnych prób: ten kod już nie działa. Użyj linku z wiadomości lub zacznij od nowa.',
    errorRateLimited: 'Zbyt wiele prób. Odczekaj kilka minut i spróbuj ponownie.',
    errorNotApproved: 'Jeszcze nie zatwierdzono. Otwórz link z wiadomości i zatwierdź albo wpisz kod.',
    errorExpired: 'Ta prośba o logowanie wygasła. Zacznij od nowa.',
    errorIdentifier: 'Wpisz poprawny adres e-mail lub numer telefonu z kierunkowym kraju.',
    errorGeneric: 'Coś poszło nie tak. Spróbuj ponownie.',
    setupTitle: 'Logowanie nie jest jeszcze skonfigurowane',
    setupBody:
      'Ta witryna nie określiła, dokąd przekierować Cię po zalogowaniu, więc logowanie nie może się zakończyć. Daj znać osobom, które ją prowadzą; Ty nie musisz nic robić.',
    setupOperatorNote: 'Dla osób prowadzących tę witrynę:',
  },
  pt: {
    leadEmail: 'Digite seu e-mail. Enviaremos um link e um código para você entrar.',
    leadPhone: 'Digite seu número de telefone. Enviaremos por SMS um link e um código para você entrar.',
    emailLabel: 'E-mail',
    phoneLabel: 'Número de telefone, com o código do país (ex.: +55 11 91234 5678)',
    sendButton: 'Enviar link de acesso',
    usePhone: 'Usar um número de telefone',
    useEmail: 'Usar um e-mail',
    checkEmailTitle: 'Verifique seu e-mail',
    checkPhoneTitle: 'Verifique seu telefone',
    checkLead: 'Se {identifier} puder entrar em {app}, uma mensagem com um link e um código está a caminho.',
    checkHowTo: 'Abra o link neste dispositivo ou em outro, ou digite o código aqui.',
    codeLabel: 'Código da mensagem',
    codeButton: 'Entrar com o código',
    waitingNote: 'Abriu o link em outro dispositivo? Aprove lá e esta página fará seu login.',
    finishButton: 'Já aprovei no outro dispositivo',
    startOver: 'Usar outro e-mail ou número de telefone',
    approveTitle: 'Aprovar o acesso no seu outro dispositivo?',
    approveLead: 'Alguém pediu para entrar em {app} como {identifier}.',
    approveFrom: 'O pedido veio de {device}, {time}.',
    device: '{browser} no {system}',
    unknownDevice: 'um navegador desconhecido',
    approveWarning: 'Aprove somente se foi você quem fez o pedido. Este dispositivo não será conectado.',
    approveButton: 'Sim, entrar lá',
    denyButton: 'Não, não fui eu',
    approvedTitle: 'Acesso aprovado',
    approvedBody:
      'Volte ao seu outro dispositivo: ele está fazendo seu login agora. Você pode fechar esta página.',
    deniedTitle: 'Acesso recusado',
    deniedBody: 'Ninguém foi conectado. Você pode fechar esta página.',
    doneElsewhere: 'Você entrou em outra aba ou janela. Pode fechar esta página.',
    errorCodeInvalid: 'O código não está correto ou expirou. Confira e tente de novo.',
    errorCodeExhausted:
      'Tentativas erradas demais: este código não funciona mais. Use o link da mensagem ou comece de novo.',
    errorRateLimited: 'Tentativas demais. Aguarde alguns minutos e tente de novo.',
    errorNotApproved: 'Ainda não aprovado. Abra o link da mensagem e aprove, ou digite o código.',
    errorExpired: 'Este pedido de acesso expirou. Comece de novo.',
    errorIdentifier: 'Digite um e-mail válido ou um número de telefone com o código do país.',
    errorGeneric: 'Algo deu errado. Tente de novo.',
    setupTitle: 'O início de sessão ainda não está configurado',
    setupBody:
      'Este site não indicou para onde o levar depois de iniciar sessão, por isso o início de sessão não pode terminar. Avise quem o gere; não precisa de fazer nada.',
    setupOperatorNote: 'Para quem gere este site:',
  },
  zh: {
    leadEmail: '请输入您的电子邮箱地址，我们会向您发送登录链接和验证码。',
    leadPhone: '请输入您的手机号码，我们会通过短信向您发送登录链接和验证码。',
    emailLabel: '电子邮箱地址',
    phoneLabel: '手机号码（含国家/地区代码，例如 +86 131 2345 6789）',
    sendButton: '发送登录链接',
    usePhone: '改用手机号码',
    useEmail: '改用电子邮箱',
    checkEmailTitle: '请查收邮件',
    checkPhoneTitle: '请查看手机短信',
    checkLead: '如果 {identifier} 可以登录 {app}，一条包含链接和验证码的消息正在发送中。',
    checkHowTo: '在本设备或其他设备上打开链接，或在此输入验证码。',
    codeLabel: '消息中的验证码',
    codeButton: '使用验证码登录',
    waitingNote: '在其他设备上打开了链接？在那里批准后，此页面会为您登录。',
    finishButton: '我已在另一台设备上批准',
    startOver: '使用其他邮箱或手机号码',
    approveTitle: '批准在您的另一台设备上登录？',
    approveLead: '有人请求以 {identifier} 的身份登录 {app}。',
    approveFrom: '请求来自{device}，{time}。',
    device: '{system} 上的 {browser}',
    unknownDevice: '未知浏览器',
    approveWarning: '仅当这是您本人发起的请求时才批准。本设备不会登录。',
    approveButton: '是，在那台设备上登录',
    denyButton: '不，不是我',
    approvedTitle: '已批准登录',
    approvedBody: '请返回您的另一台设备，它正在为您登录。您可以关闭此页面。',
    deniedTitle: '已拒绝登录',
    deniedBody: '没有任何人登录。您可以关闭此页面。',
    doneElsewhere: '您已在另一个标签页或窗口中登录。可以关闭此页面。',
    errorCodeInvalid: '验证码不正确或已过期。请检查后重试。',
    errorCodeExhausted: '错误次数过多，此验证码已失效。请使用消息中的链接，或重新开始。',
    errorRateLimited: '尝试次数过多。请等几分钟后再试。',
    errorNotApproved: '尚未批准。请打开消息中的链接并批准，或输入验证码。',
    errorExpired: '此登录请求已过期。请重新开始。',
    errorIdentifier: '请输入有效的电子邮箱地址，或带国家/地区代码的手机号码。',
    errorGeneric: '出了点问题，请重试。',
    setupTitle: '登录尚未设置',
    setupBody:
      '此网站尚未指定登录后要将您带往何处，因此无法完成登录。请告知网站的管理者；您无需执行任何操作。',
    setupOperatorNote: '致网站管理者：',
  },
};
