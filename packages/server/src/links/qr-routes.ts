import { Type } from 'typebox';
import type { AppContext } from '../apps/app-store.js';
import { actingApp } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import { QR_MAX_TEXT, qrCodeSvg } from './qr-code.js';

/**
 * `POST /v1/qr`: a QR code of a link's URL as SVG. A POST, not a GET with the URL in the query, because the URL holds
 * a token and query strings end up in access logs and browser history.
 */
export function qrRoutes(ctx: AppContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/qr',
        {
          schema: {
            operationId: 'createQrCode',
            tags: ['magic links'],
            summary: "A QR code (SVG) of a URL of this app's links; nothing is stored",
            response: {
              200: {
                description: 'The QR code as an SVG picture: one path of dark modules, scalable to any size',
                content: {
                  'image/svg+xml': {
                    schema: Type.String({
                      examples: [
                        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 41 41" shape-rendering="crispEdges"><path fill="#ffffff" d="M0 0h41v41H0z"/><path stroke="#000000" d="M4 4.5h7m1 0h1…"/></svg>',
                      ],
                    }),
                  },
                },
              },
            },
            body: Type.Object(
              {
                text: Type.String({
                  minLength: 1,
                  maxLength: QR_MAX_TEXT,
                  description:
                    "The URL to draw: a link's `url`, on this server's or the app's public URL or site.",
                }),
              },
              {
                additionalProperties: false,
                examples: [
                  { text: 'https://auth.example.com/l/AZPk3c47FX_br3KmoY5920vSKjV17JoI88Xml4lcOCNO67TnI' },
                ],
              },
            ),
          },
        },
        async (request, reply) => {
          const svg = await qrCodeSvg(ctx, actingApp(request), request.body.text);
          return (
            reply
              .type('image/svg+xml; charset=utf-8')
              // The picture holds the token as surely as the URL does: no cache may keep it.
              .header('cache-control', 'no-store')
              // Our SVG has no script or style; should anything ever open it as a document, it may load nothing.
              .header('content-security-policy', "default-src 'none'")
              .send(svg)
          );
        },
      );
    },
  };
}
