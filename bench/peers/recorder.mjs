// What the peers' "send" does instead of mailing: keep the URL in memory (the newest 100,000), so the harness can
// take the links it needs for a verify round from `GET /__bench/links`.
const MAX = 100_000;
const urls = [];

export function record(url) {
  urls.push(url);
  if (urls.length > MAX) urls.splice(0, urls.length - MAX);
}

/** Answers `GET /__bench/links` with the recorded URLs, then forgets them. Returns false for any other request. */
export function benchRoute(req, res) {
  if (req.method !== 'GET' || !req.url.startsWith('/__bench/links')) return false;
  const body = JSON.stringify(urls.splice(0, urls.length));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
  return true;
}

export function listen(server) {
  const port = Number(process.env.PORT);
  server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
