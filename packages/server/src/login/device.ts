/**
 * A short, human description of the browser that started a sign-in ("Firefox on Windows"), shown on the approval
 * page of another device so that a person can tell their own request from someone else's. Deliberately coarse: it
 * names families, never versions, so it cannot fingerprint anyone.
 */
// Order matters: most browsers also name the engine they build on (Chrome's agent says Safari; Edge, Opera and
// Samsung Internet also say Chrome), so the more specific names come first. Headless Chrome says HeadlessChrome, a
// single word, which a `\bChrome` rule cannot see (it used to end as "Safari").
const BROWSERS: Array<[RegExp, string]> = [
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bVivaldi\//, 'Vivaldi'],
  [/\bYaBrowser\//, 'Yandex Browser'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChromium\//, 'Chromium'],
  [/\bChrome\/|\bCriOS\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export interface DeviceSummary {
  browser: string | null;
  system: string | null;
}

export function describeDevice(userAgent: string | null | undefined): DeviceSummary {
  if (!userAgent) return { browser: null, system: null };
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  return { browser, system };
}
