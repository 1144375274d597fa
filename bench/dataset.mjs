// The data set of the large-table benchmarks (bench/stats.mjs, bench/large-table.mjs): magic links written straight
// into an embedded database, because creating a million links through the API would measure link creation.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'packages/server/package.json'));
const Database = require('better-sqlite3');
const { newId } = await import(join(root, 'packages/server/dist/crypto/tokens.js'));
const DAY = 86_400_000;

/** mulberry32: a fixed data set from run to run. */
let seed;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * Writes `links` magic links of app `appId` (with a user per ten links and a session per redemption) spread over the
 * last `spanDays` days, straight into the SQLite file at `path`, in the proportions a real installation shows: most
 * sent, about half of those opened, most of those redeemed, a few failed or revoked.
 */
export function generateLinks(path, appId, { links: LINKS, spanDays: SPAN_DAYS }) {
  seed = 12345;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const now = Date.now();
  const start = now - SPAN_DAYS * DAY;
  const userCount = Math.max(1, Math.round(LINKS / 10));
  const users = [];
  const insertUser = db.prepare(
    `insert into users (id, app_id, email, email_verified, phone_verified, metadata, created_at, updated_at)
     values (?, ?, ?, 0, 0, '{}', ?, ?)`,
  );
  const insertLink = db.prepare(
    `insert into magic_links (id, app_id, user_id, identifier, identifier_kind, channel, type, token_hash, ttl_minutes,
       status, metadata, created_at, expires_at, sent_at, delivered_at, opened_at, redeemed_at, revoked_at, session_id,
       expiry_swept_at)
     values (?, ?, ?, ?, 'email', 'email', ?, ?, 15, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSession = db.prepare(
    `insert into sessions (id, app_id, user_id, amr, link_id, created_at, expires_at)
     values (?, ?, ?, 'magic_link', ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < userCount; i++) {
      const id = newId('usr', start, randomBytes);
      users.push({ id, email: `u${i}@bench.example.com` });
      insertUser.run(id, appId, `u${i}@bench.example.com`, start, start);
    }
  })();
  const BATCH = 50_000;
  for (let done = 0; done < LINKS; done += BATCH) {
    db.transaction(() => {
      for (let i = done; i < Math.min(LINKS, done + BATCH); i++) {
        const user = users[Math.floor(rnd() * users.length)];
        const created = start + Math.floor((i / LINKS) * SPAN_DAYS * DAY);
        const r = rnd();
        const type = r < 0.7 ? 'login' : r < 0.9 ? 'invite' : 'verify_identifier';
        const expires = created + (type === 'invite' ? 7 * DAY : 15 * 60_000);
        let status = 'created';
        let sent = null;
        let failedAt = null;
        let opened = null;
        let redeemed = null;
        let revoked = null;
        let sessionId = null;
        if (rnd() < 0.85) {
          sent = created + Math.floor(rnd() * 20_000);
          status = 'sent';
          if (rnd() < 0.03) {
            status = 'delivery_failed';
            failedAt = sent + 1000;
          } else if (rnd() < 0.55) {
            opened = sent + Math.floor(rnd() * 30 * 60_000);
            status = 'opened';
            if (rnd() < 0.7) {
              redeemed = opened + Math.floor(rnd() * 5 * 60_000);
              status = 'redeemed';
              sessionId = newId('ses', redeemed, randomBytes);
              insertSession.run(sessionId, appId, user.id, null, redeemed, redeemed + 30 * DAY);
            }
          }
        }
        if (status !== 'redeemed' && rnd() < 0.02) {
          revoked = created + 1000;
          status = 'revoked';
        }
        insertLink.run(
          newId('ml', created, randomBytes),
          appId,
          user.id,
          user.email,
          type,
          randomBytes(24).toString('base64url'),
          status,
          created,
          expires,
          sent,
          failedAt,
          opened,
          redeemed,
          revoked,
          sessionId,
          expires <= now ? expires : null,
        );
      }
    })();
  }
  db.pragma('optimize');
  db.close();
}
