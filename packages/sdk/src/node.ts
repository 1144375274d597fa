/**
 * The Node.js entry: everything of the root entry (index.ts), plus the synchronous helpers that need node:crypto.
 * Node resolves `@latchkey/sdk` here (the `node` export condition) and `@latchkey/sdk/node` names it outright;
 * browsers, edge runtimes and bundlers targeting them get index.ts, which imports no Node module.
 */

export { Latchkey } from './client-node.js';
export * from './index.js';
export { generateSignInToken, SignInTokens, signInUrl } from './sign-in-tokens-node.js';
export { verifyWebhook, Webhooks } from './webhooks-node.js';
