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

export default fp(async (app) => {
  app.addHook('onSend', async (request, reply) => {
    // The id in the logs, so a user's report can be matched to them.
    reply.header('X-Request-Id', request.id);
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  });
}, { name: 'security' });
