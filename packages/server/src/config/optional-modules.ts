import { createRequire } from 'node:module';
import type * as Ioredis from 'ioredis';
import type * as Nodemailer from 'nodemailer';
import type PgModule from 'pg';

/**
 * Drivers that only some installations use, loaded on first use instead of at start: together pg, ioredis and
 * nodemailer were about 40 MiB of the memory of a server on embedded SQLite that needs none of them.
 * (All three are CommonJS, so a synchronous require serves them.)
 */
const require = createRequire(import.meta.url);

export const loadPg = (): typeof PgModule => require('pg') as typeof PgModule;
export const loadIoredis = (): typeof Ioredis => require('ioredis') as typeof Ioredis;
export const loadNodemailer = (): typeof Nodemailer => require('nodemailer') as typeof Nodemailer;
