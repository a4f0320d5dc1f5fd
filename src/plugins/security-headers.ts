/**
 * Security headers on every answer: nosniff, no referrer, frame denial and the rest of @fastify/helmet's set, and a
 * CSP that lets an API answer load nothing and be framed by nobody. Swagger UI under /docs gets a CSP of its own:
 * its scripts, styles and images from this server, its requests to this server, still no framing. The CSPs are
 * set here, not by helmet, so that they read exactly as the contract writes them.
 * @see https://github.com/fastify/fastify-helmet#usage
 */
import fastifyHelmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const API_CSP = "default-src 'none'; frame-ancestors 'none'"

const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  // Swagger UI's icons are data: URLs.
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  // The one <style> element Swagger UI adds, allowed by its hash alone; test/e2e fails if an upgrade changes it.
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
].join('; ')

/** What every answer carries, also those written outside the hooks (router errors, timeouts). */
export const BASE_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': API_CSP,
  'x-frame-options': 'DENY',
} as const

const isDocs = (url: string | undefined) => url === '/docs' || url?.startsWith('/docs/') === true

export default fp(
  async function securityHeadersPlugin(app: FastifyInstance) {
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
      // Whether HSTS fits the domain is for the proxy that terminates TLS to say, not for an API behind it.
      strictTransportSecurity: false,
    })
    // onRequest, before any hook that can answer early (auth's 401): an error answer carries it too.
    app.addHook('onRequest', async (request, reply) => {
      reply.header('content-security-policy', isDocs(request.routeOptions.url) ? DOCS_CSP : API_CSP)
    })
  },
  { name: 'security-headers' },
)
