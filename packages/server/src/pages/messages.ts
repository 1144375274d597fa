import { type Language, toLanguage } from './languages.js';

/**
 * Every string the hosted pages show. `{app}` stands for the app's name and `{identifier}` for the masked email or
 * phone; the renderer escapes the text around them and fills them in, so translations never contain HTML.
 */
export interface Messages {
  /** Browser tab titles of the confirm page, per link type. */
  titleLogin: string;
  titleVerifyEmail: string;
  titleVerifyPhone: string;
  titleInvite: string;
  /** Confirm page heading, with `{identifier}`. */
  continueAs: string;
  /** One sentence under the heading saying what the button will do, with `{app}`. */
  leadLogin: string;
  leadVerifyEmail: string;
  leadVerifyPhone: string;
  leadInvite: string;
  buttonLogin: string;
  buttonVerifyEmail: string;
  buttonVerifyPhone: string;
  buttonInvite: string;
  /** Under the button when the person must press it: reassures whoever did not ask for the link. */
  confirmNote: string;
  /** Under the button when the page submits itself. */
  autoNote: string;
  expiredTitle: string;
  expiredBody: string;
  usedTitle: string;
  usedBody: string;
  revokedTitle: string;
  revokedBody: string;
  invalidTitle: string;
  invalidBody: string;
  /** What to do after a link problem, when the app is known (`{app}`) and when it is not. */
  nextStepWithApp: string;
  nextStepWithoutApp: string;
  requestNewLink: string;
  backToApp: string;
  backToSite: string;
  /** The page for a failure that is not about the link itself: the request, a limit, an outage, a bug. */
  requestProblemTitle: string;
  requestProblemBody: string;
  tooManyTitle: string;
  tooManyBody: string;
  unavailableTitle: string;
  unavailableBody: string;
  brokenTitle: string;
  brokenBody: string;
  /** Small print under such a page, with `{code}`: what to quote when asking for help. */
  errorCodeNote: string;
}

// French typography wants a no-break space before ? ! : ; — written as an escape so it stays visible in review.
const NBSP = '\u00a0';

export const messages: Record<Language, Messages> = {
  en: {
    titleLogin: 'Sign in to {app}',
    titleVerifyEmail: 'Verify your email for {app}',
    titleVerifyPhone: 'Verify your phone number for {app}',
    titleInvite: 'Join {app}',
    continueAs: 'Continue as {identifier}',
    leadLogin: 'You’re about to sign in to {app}.',
    leadVerifyEmail: 'You’re about to confirm this email address for {app}.',
    leadVerifyPhone: 'You’re about to confirm this phone number for {app}.',
    leadInvite: 'You’ve been invited to join {app}.',
    buttonLogin: 'Sign in',
    buttonVerifyEmail: 'Verify my email',
    buttonVerifyPhone: 'Verify my phone number',
    buttonInvite: 'Accept the invitation',
    confirmNote: 'Didn’t ask for this? Just close this page. Nothing happens unless you press the button.',
    autoNote: 'Continuing automatically. If nothing happens, press the button.',
    expiredTitle: 'This link has expired',
    expiredBody: 'For your security, links like this only work for a limited time.',
    usedTitle: 'This link has already been used',
    usedBody:
      'It has already signed someone in, and each link works only once. If that was you in another tab, you’re all set.',
    revokedTitle: 'This link has been cancelled',
    revokedBody: 'It was cancelled and can no longer be used.',
    invalidTitle: 'This link doesn’t work',
    invalidBody: 'It may be incomplete or mistyped. If you copied it, check that you copied all of it.',
    nextStepWithApp: 'Go back to {app} and ask for a new link.',
    nextStepWithoutApp: 'Go back to the website or app that sent it and ask for a new link.',
    requestNewLink: 'Send me a new link',
    backToApp: 'Back to {app}',
    backToSite: 'Back to the website',
    requestProblemTitle: 'This request didn’t work',
    requestProblemBody:
      'Go back to the page you came from and try again. If you followed a link, open it again from your message.',
    tooManyTitle: 'Too many attempts',
    tooManyBody: 'Please wait a minute, then try again.',
    unavailableTitle: 'Temporarily unavailable',
    unavailableBody:
      'This couldn’t be completed just now, and nothing was used up. Try again in a few seconds.',
    brokenTitle: 'Something went wrong',
    brokenBody:
      'Try again in a moment. If it keeps happening, contact the website or app that sent you here.',
    errorCodeNote: 'Error code: {code}',
  },
  de: {
    titleLogin: 'Bei {app} anmelden',
    titleVerifyEmail: 'E-Mail-Adresse für {app} bestätigen',
    titleVerifyPhone: 'Telefonnummer für {app} bestätigen',
    titleInvite: '{app} beitreten',
    continueAs: 'Weiter als {identifier}',
    leadLogin: 'Sie melden sich gleich bei {app} an.',
    leadVerifyEmail: 'Sie bestätigen gleich diese E-Mail-Adresse für {app}.',
    leadVerifyPhone: 'Sie bestätigen gleich diese Telefonnummer für {app}.',
    leadInvite: 'Sie wurden zu {app} eingeladen.',
    buttonLogin: 'Anmelden',
    buttonVerifyEmail: 'E-Mail-Adresse bestätigen',
    buttonVerifyPhone: 'Telefonnummer bestätigen',
    buttonInvite: 'Einladung annehmen',
    confirmNote:
      'Nicht von Ihnen angefordert? Schließen Sie einfach diese Seite – ohne Klick auf die Schaltfläche passiert nichts.',
    autoNote: 'Es geht automatisch weiter. Falls nicht, klicken Sie auf die Schaltfläche.',
    expiredTitle: 'Dieser Link ist abgelaufen',
    expiredBody: 'Aus Sicherheitsgründen sind solche Links nur für begrenzte Zeit gültig.',
    usedTitle: 'Dieser Link wurde bereits verwendet',
    usedBody:
      'Mit ihm hat sich schon jemand angemeldet, und jeder Link funktioniert nur einmal. Wenn Sie das in einem anderen Tab waren, ist alles erledigt.',
    revokedTitle: 'Dieser Link wurde deaktiviert',
    revokedBody: 'Er wurde zurückgezogen und kann nicht mehr verwendet werden.',
    invalidTitle: 'Dieser Link funktioniert nicht',
    invalidBody:
      'Vielleicht ist er unvollständig oder enthält einen Tippfehler. Wenn Sie ihn kopiert haben, prüfen Sie, ob er vollständig ist.',
    nextStepWithApp: 'Kehren Sie zu {app} zurück und fordern Sie einen neuen Link an.',
    nextStepWithoutApp:
      'Kehren Sie zur Website oder App zurück, von der er kam, und fordern Sie dort einen neuen Link an.',
    requestNewLink: 'Neuen Link anfordern',
    backToApp: 'Zurück zu {app}',
    backToSite: 'Zurück zur Website',
    requestProblemTitle: 'Diese Anfrage hat nicht funktioniert',
    requestProblemBody:
      'Gehen Sie zurück zur vorherigen Seite und versuchen Sie es erneut. Wenn Sie einem Link gefolgt sind, öffnen Sie ihn erneut aus Ihrer Nachricht.',
    tooManyTitle: 'Zu viele Versuche',
    tooManyBody: 'Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
    unavailableTitle: 'Vorübergehend nicht verfügbar',
    unavailableBody:
      'Das konnte gerade nicht abgeschlossen werden, und es wurde nichts verbraucht. Versuchen Sie es in ein paar Sekunden erneut.',
    brokenTitle: 'Etwas ist schiefgelaufen',
    brokenBody:
      'Versuchen Sie es gleich noch einmal. Wenn es weiter passiert, wenden Sie sich an die Website oder App, die Sie hierher geschickt hat.',
    errorCodeNote: 'Fehlercode: {code}',
  },
  es: {
    titleLogin: 'Inicia sesión en {app}',
    titleVerifyEmail: 'Verifica tu correo para {app}',
    titleVerifyPhone: 'Verifica tu número de teléfono para {app}',
    titleInvite: 'Únete a {app}',
    continueAs: 'Continuar como {identifier}',
    leadLogin: 'Vas a iniciar sesión en {app}.',
    leadVerifyEmail: 'Vas a confirmar esta dirección de correo para {app}.',
    leadVerifyPhone: 'Vas a confirmar este número de teléfono para {app}.',
    leadInvite: 'Te han invitado a unirte a {app}.',
    buttonLogin: 'Iniciar sesión',
    buttonVerifyEmail: 'Verificar mi correo',
    buttonVerifyPhone: 'Verificar mi teléfono',
    buttonInvite: 'Aceptar la invitación',
    confirmNote:
      '¿No lo has pedido tú? Cierra esta página sin más: no pasará nada a menos que pulses el botón.',
    autoNote: 'Continuando automáticamente. Si no pasa nada, pulsa el botón.',
    expiredTitle: 'Este enlace ha caducado',
    expiredBody: 'Por seguridad, estos enlaces solo funcionan durante un tiempo limitado.',
    usedTitle: 'Este enlace ya se ha usado',
    usedBody:
      'Alguien ya ha iniciado sesión con él, y cada enlace solo funciona una vez. Si fuiste tú en otra pestaña, ya está todo listo.',
    revokedTitle: 'Este enlace se ha anulado',
    revokedBody: 'Se anuló y ya no se puede usar.',
    invalidTitle: 'Este enlace no funciona',
    invalidBody: 'Puede que esté incompleto o mal escrito. Si lo copiaste, comprueba que lo copiaste entero.',
    nextStepWithApp: 'Vuelve a {app} y pide un enlace nuevo.',
    nextStepWithoutApp: 'Vuelve al sitio web o la aplicación que te lo envió y pide un enlace nuevo.',
    requestNewLink: 'Enviarme un enlace nuevo',
    backToApp: 'Volver a {app}',
    backToSite: 'Volver al sitio web',
    requestProblemTitle: 'Esta solicitud no ha funcionado',
    requestProblemBody:
      'Vuelve a la página de la que venías e inténtalo de nuevo. Si seguiste un enlace, ábrelo otra vez desde tu mensaje.',
    tooManyTitle: 'Demasiados intentos',
    tooManyBody: 'Espera un momento y vuelve a intentarlo.',
    unavailableTitle: 'No disponible temporalmente',
    unavailableBody:
      'No se ha podido completar ahora mismo y no se ha gastado nada. Vuelve a intentarlo en unos segundos.',
    brokenTitle: 'Algo ha salido mal',
    brokenBody:
      'Vuelve a intentarlo en un momento. Si sigue pasando, contacta con el sitio web o la aplicación que te envió aquí.',
    errorCodeNote: 'Código de error: {code}',
  },
  fr: {
    titleLogin: 'Connexion à {app}',
    titleVerifyEmail: 'Vérifiez votre adresse e-mail pour {app}',
    titleVerifyPhone: 'Vérifiez votre numéro de téléphone pour {app}',
    titleInvite: 'Rejoindre {app}',
    continueAs: 'Continuer en tant que {identifier}',
    leadLogin: 'Vous êtes sur le point de vous connecter à {app}.',
    leadVerifyEmail: 'Vous êtes sur le point de confirmer cette adresse e-mail pour {app}.',
    leadVerifyPhone: 'Vous êtes sur le point de confirmer ce numéro de téléphone pour {app}.',
    leadInvite: 'Une invitation à rejoindre {app} vous attend.',
    buttonLogin: 'Se connecter',
    buttonVerifyEmail: 'Vérifier mon adresse e-mail',
    buttonVerifyPhone: 'Vérifier mon numéro',
    buttonInvite: 'Accepter l’invitation',
    confirmNote: `Vous n’avez rien demandé${NBSP}? Fermez simplement cette page${NBSP}: rien ne se passe tant que vous n’appuyez pas sur le bouton.`,
    autoNote: 'La suite se fait automatiquement. Si rien ne se passe, appuyez sur le bouton.',
    expiredTitle: 'Ce lien a expiré',
    expiredBody: 'Pour votre sécurité, ce type de lien n’est valable que pendant une durée limitée.',
    usedTitle: 'Ce lien a déjà été utilisé',
    usedBody:
      'Il a déjà permis à quelqu’un de se connecter, et chaque lien ne fonctionne qu’une fois. Si c’était vous dans un autre onglet, tout est en ordre.',
    revokedTitle: 'Ce lien a été annulé',
    revokedBody: 'Il a été annulé et ne peut plus être utilisé.',
    invalidTitle: 'Ce lien ne fonctionne pas',
    invalidBody: 'Il est peut-être incomplet ou mal saisi. Si vous l’avez copié, vérifiez qu’il est complet.',
    nextStepWithApp: 'Retournez sur {app} et demandez un nouveau lien.',
    nextStepWithoutApp:
      'Retournez sur le site ou l’application qui vous l’a envoyé et demandez un nouveau lien.',
    requestNewLink: 'M’envoyer un nouveau lien',
    backToApp: 'Retour à {app}',
    backToSite: 'Retour au site',
    requestProblemTitle: 'Cette demande n’a pas abouti',
    requestProblemBody:
      'Revenez à la page précédente et réessayez. Si vous avez suivi un lien, ouvrez-le à nouveau depuis votre message.',
    tooManyTitle: 'Trop de tentatives',
    tooManyBody: 'Patientez un instant, puis réessayez.',
    unavailableTitle: 'Momentanément indisponible',
    unavailableBody:
      'L’opération n’a pas pu aboutir pour le moment, et rien n’a été utilisé. Réessayez dans quelques secondes.',
    brokenTitle: 'Un problème est survenu',
    brokenBody:
      'Réessayez dans un instant. Si le problème persiste, contactez le site ou l’application qui vous a envoyé ici.',
    errorCodeNote: `Code d’erreur${NBSP}: {code}`,
  },
  it: {
    titleLogin: 'Accedi a {app}',
    titleVerifyEmail: 'Verifica la tua email per {app}',
    titleVerifyPhone: 'Verifica il tuo numero di telefono per {app}',
    titleInvite: 'Unisciti a {app}',
    continueAs: 'Continua come {identifier}',
    leadLogin: 'Stai per accedere a {app}.',
    leadVerifyEmail: 'Stai per confermare questo indirizzo email per {app}.',
    leadVerifyPhone: 'Stai per confermare questo numero di telefono per {app}.',
    leadInvite: 'Hai ricevuto un invito a unirti a {app}.',
    buttonLogin: 'Accedi',
    buttonVerifyEmail: 'Verifica la mia email',
    buttonVerifyPhone: 'Verifica il mio numero',
    buttonInvite: 'Accetta l’invito',
    confirmNote:
      'Non l’hai chiesto tu? Chiudi pure questa pagina: non succede nulla finché non premi il pulsante.',
    autoNote: 'Si prosegue automaticamente. Se non succede nulla, premi il pulsante.',
    expiredTitle: 'Questo link è scaduto',
    expiredBody: 'Per la tua sicurezza, questi link funzionano solo per un tempo limitato.',
    usedTitle: 'Questo link è già stato usato',
    usedBody:
      'Qualcuno ha già effettuato l’accesso con questo link, e ogni link funziona una sola volta. Se eri tu in un’altra scheda, è tutto a posto.',
    revokedTitle: 'Questo link è stato annullato',
    revokedBody: 'È stato annullato e non si può più usare.',
    invalidTitle: 'Questo link non funziona',
    invalidBody:
      'Potrebbe essere incompleto o scritto male. Se l’hai copiato, controlla di averlo copiato per intero.',
    nextStepWithApp: 'Torna su {app} e chiedi un nuovo link.',
    nextStepWithoutApp: 'Torna sul sito o sull’app che te l’ha inviato e chiedi un nuovo link.',
    requestNewLink: 'Inviami un nuovo link',
    backToApp: 'Torna a {app}',
    backToSite: 'Torna al sito',
    requestProblemTitle: 'Questa richiesta non è andata a buon fine',
    requestProblemBody:
      'Torna alla pagina da cui venivi e riprova. Se hai seguito un link, aprilo di nuovo dal tuo messaggio.',
    tooManyTitle: 'Troppi tentativi',
    tooManyBody: 'Attendi un momento, poi riprova.',
    unavailableTitle: 'Temporaneamente non disponibile',
    unavailableBody:
      'Non è stato possibile completare l’operazione in questo momento, e non è stato usato nulla. Riprova tra qualche secondo.',
    brokenTitle: 'Qualcosa è andato storto',
    brokenBody:
      'Riprova tra un momento. Se continua a succedere, contatta il sito o l’app che ti ha mandato qui.',
    errorCodeNote: 'Codice di errore: {code}',
  },
  pl: {
    // Titles lead with the name and sentences say "usługa {app}", so an app name never needs Polish declension.
    titleLogin: '{app} – logowanie',
    titleVerifyEmail: '{app} – potwierdzenie adresu e-mail',
    titleVerifyPhone: '{app} – potwierdzenie numeru telefonu',
    titleInvite: '{app} – zaproszenie',
    continueAs: 'Kontynuuj jako {identifier}',
    leadLogin: 'Za chwilę zalogujesz się do usługi {app}.',
    leadVerifyEmail: 'Za chwilę potwierdzisz ten adres e-mail w usłudze {app}.',
    leadVerifyPhone: 'Za chwilę potwierdzisz ten numer telefonu w usłudze {app}.',
    leadInvite: 'Masz zaproszenie do usługi {app}.',
    buttonLogin: 'Zaloguj się',
    buttonVerifyEmail: 'Potwierdź adres e-mail',
    buttonVerifyPhone: 'Potwierdź numer telefonu',
    buttonInvite: 'Przyjmij zaproszenie',
    confirmNote:
      'To nie Twoja prośba? Po prostu zamknij tę stronę – bez naciśnięcia przycisku nic się nie stanie.',
    autoNote: 'Za chwilę nastąpi automatyczne przejście dalej. Jeśli nic się nie dzieje, naciśnij przycisk.',
    expiredTitle: 'Ten link wygasł',
    expiredBody: 'Ze względów bezpieczeństwa takie linki działają tylko przez ograniczony czas.',
    usedTitle: 'Ten link został już użyty',
    usedBody:
      'Ktoś już się za jego pomocą zalogował, a każdy link działa tylko raz. Jeśli to Ty logujesz się w innej karcie, wszystko jest w porządku.',
    revokedTitle: 'Ten link został anulowany',
    revokedBody: 'Został anulowany i nie można go już użyć.',
    invalidTitle: 'Ten link nie działa',
    invalidBody:
      'Może być niepełny albo zawierać literówkę. Jeśli został skopiowany, sprawdź, czy skopiowano go w całości.',
    nextStepWithApp: 'Wróć do usługi {app} i poproś o nowy link.',
    nextStepWithoutApp: 'Wróć do strony lub aplikacji, która go wysłała, i poproś o nowy link.',
    requestNewLink: 'Wyślij mi nowy link',
    backToApp: 'Wróć do usługi {app}',
    backToSite: 'Wróć do strony',
    requestProblemTitle: 'To żądanie się nie powiodło',
    requestProblemBody:
      'Wróć do poprzedniej strony i spróbuj ponownie. Jeśli korzystasz z linku, otwórz go ponownie z wiadomości.',
    tooManyTitle: 'Zbyt wiele prób',
    tooManyBody: 'Poczekaj chwilę i spróbuj ponownie.',
    unavailableTitle: 'Chwilowo niedostępne',
    unavailableBody:
      'Nie udało się tego teraz dokończyć, ale nic nie zostało zużyte. Spróbuj ponownie za kilka sekund.',
    brokenTitle: 'Coś poszło nie tak',
    brokenBody:
      'Spróbuj ponownie za chwilę. Jeśli problem się powtarza, skontaktuj się ze stroną lub aplikacją, która Cię tu skierowała.',
    errorCodeNote: 'Kod błędu: {code}',
  },
  pt: {
    // Worded to read naturally in both Brazil and Portugal ("app", "clicar", no tu/você-specific verbs).
    titleLogin: 'Entrar em {app}',
    titleVerifyEmail: 'Confirme o seu e-mail para {app}',
    titleVerifyPhone: 'Confirme o seu número de telefone para {app}',
    titleInvite: 'Convite para {app}',
    continueAs: 'Continuar como {identifier}',
    leadLogin: 'Está prestes a entrar em {app}.',
    leadVerifyEmail: 'Está prestes a confirmar este endereço de e-mail para {app}.',
    leadVerifyPhone: 'Está prestes a confirmar este número de telefone para {app}.',
    leadInvite: 'Recebeu um convite para entrar em {app}.',
    buttonLogin: 'Entrar',
    buttonVerifyEmail: 'Confirmar e-mail',
    buttonVerifyPhone: 'Confirmar número de telefone',
    buttonInvite: 'Aceitar o convite',
    confirmNote:
      'Não foi você que pediu? Pode simplesmente fechar esta página: nada acontece sem clicar no botão.',
    autoNote: 'Vai continuar automaticamente. Se nada acontecer, clique no botão.',
    expiredTitle: 'Este link expirou',
    expiredBody: 'Por segurança, links como este só funcionam durante um tempo limitado.',
    usedTitle: 'Este link já foi usado',
    usedBody:
      'Alguém já entrou com este link, e cada link só funciona uma vez. Se foi você, não é preciso fazer mais nada.',
    revokedTitle: 'Este link foi cancelado',
    revokedBody: 'Foi cancelado e deixou de funcionar.',
    invalidTitle: 'Este link não funciona',
    invalidBody: 'Pode estar incompleto ou ter algum erro. Se o copiou, verifique se copiou o link inteiro.',
    nextStepWithApp: 'Volte a {app} e peça um novo link.',
    nextStepWithoutApp: 'Volte ao site ou app que enviou o link e peça um novo.',
    requestNewLink: 'Pedir um novo link',
    backToApp: 'Voltar a {app}',
    backToSite: 'Voltar ao site',
    requestProblemTitle: 'Este pedido não funcionou',
    requestProblemBody:
      'Volte à página anterior e tente novamente. Se seguiu um link, abra-o novamente a partir da mensagem.',
    tooManyTitle: 'Muitas tentativas',
    tooManyBody: 'Aguarde um momento e tente novamente.',
    unavailableTitle: 'Temporariamente indisponível',
    unavailableBody:
      'Não foi possível concluir agora, e nada foi gasto. Tente novamente dentro de alguns segundos.',
    brokenTitle: 'Ocorreu um erro',
    brokenBody:
      'Tente novamente dentro de instantes. Se o problema continuar, fale com o suporte do site ou app de onde veio.',
    errorCodeNote: 'Código de erro: {code}',
  },
  zh: {
    titleLogin: '登录 {app}',
    titleVerifyEmail: '验证邮箱 · {app}',
    titleVerifyPhone: '验证手机号码 · {app}',
    titleInvite: '加入 {app}',
    continueAs: '以 {identifier} 身份继续',
    leadLogin: '您即将登录 {app}。',
    leadVerifyEmail: '您即将为 {app} 验证此邮箱地址。',
    leadVerifyPhone: '您即将为 {app} 验证此手机号码。',
    leadInvite: '您收到了加入 {app} 的邀请。',
    buttonLogin: '登录',
    buttonVerifyEmail: '验证邮箱',
    buttonVerifyPhone: '验证手机号码',
    buttonInvite: '接受邀请',
    confirmNote: '不是您本人操作？直接关闭此页面即可。只要不点击按钮，就不会发生任何事情。',
    autoNote: '正在自动继续。如果页面没有反应，请点击按钮。',
    expiredTitle: '此链接已过期',
    expiredBody: '为了您的安全，此类链接仅在有限时间内有效。',
    usedTitle: '此链接已被使用',
    usedBody: '已有人通过此链接登录，每个链接只能使用一次。如果是您在其他标签页中登录的，则无需任何操作。',
    revokedTitle: '此链接已被撤销',
    revokedBody: '该链接已失效，无法再使用。',
    invalidTitle: '此链接无效',
    invalidBody: '链接可能不完整或有输入错误。如果是复制的链接，请检查是否完整复制。',
    nextStepWithApp: '请返回 {app} 申请新的链接。',
    nextStepWithoutApp: '请返回发送此链接的网站或应用，申请新的链接。',
    requestNewLink: '发送新链接',
    backToApp: '返回 {app}',
    backToSite: '返回网站',
    requestProblemTitle: '此请求未能完成',
    requestProblemBody: '请返回上一页后重试。如果您是通过链接进入的，请从消息中重新打开该链接。',
    tooManyTitle: '尝试次数过多',
    tooManyBody: '请稍等片刻后重试。',
    unavailableTitle: '暂时无法使用',
    unavailableBody: '当前无法完成此操作，且没有任何内容被消耗。请在几秒钟后重试。',
    brokenTitle: '出现了问题',
    brokenBody: '请稍后重试。如果问题持续出现，请联系将您引导至此的网站或应用。',
    errorCodeNote: '错误代码：{code}',
  },
};

/**
 * The page language: the first supported value among `preferred` (say the link's language, then the app's default),
 * else the best supported range of the Accept-Language header, else English.
 */
export function pickLanguage(
  preferred: Array<string | null | undefined>,
  acceptLanguage: string | undefined,
): Language {
  for (const value of preferred) {
    const language = toLanguage(value);
    if (language) return language;
  }
  return fromAcceptLanguage(acceptLanguage) ?? 'en';
}

interface LanguageRange {
  tag: string;
  q: number;
}

function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .map(parseRange)
    .filter((range): range is LanguageRange => range !== undefined);
  // Array.prototype.sort is stable, so ranges with equal weight keep the order the browser sent them in.
  ranges.sort((a, b) => b.q - a.q);
  for (const range of ranges) {
    const language = toLanguage(range.tag);
    if (language) return language;
  }
  return undefined;
}

/** One `tag;q=0.8` entry; undefined for `*`, for q=0 ("not acceptable") and for malformed weights. */
function parseRange(entry: string): LanguageRange | undefined {
  const [tagPart, ...params] = entry.split(';');
  const tag = tagPart?.trim() ?? '';
  if (tag === '' || tag === '*') return undefined;
  let q = 1;
  for (const param of params) {
    const [name, value] = param.split('=', 2).map((part) => part.trim());
    if (name?.toLowerCase() !== 'q') continue;
    // RFC 9110 qvalue: 0 to 1 with at most three decimals.
    if (value === undefined || !/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value)) return undefined;
    q = Number(value);
  }
  return q > 0 ? { tag, q } : undefined;
}
