import fp from 'fastify-plugin';

// No inline scripts, no inline handlers, no inline styles: behaviour and looks come from /public.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Two years, the preload list's minimum; only sent when the desk is served over https. */
const HSTS = 'max-age=63072000; includeSubDomains';

export default fp(async (app) => {
  const https = app.config.baseUrl.startsWith('https://');
  app.addHook('onSend', async (request, reply) => {
    if (https) reply.header('Strict-Transport-Security', HSTS);
    // The id in the logs, so a user's report can be matched to them.
    reply.header('X-Request-Id', request.id);
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  });
}, { name: 'security' });
