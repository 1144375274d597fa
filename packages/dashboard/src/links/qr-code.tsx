import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { useAppId, useAppQuery } from '../ui/app-query.js';

interface Drawing {
  viewBox: string;
  paths: Array<{ d: string; fill: string | null; stroke: string | null }>;
}

/**
 * The server's SVG read into plain data: the page's CSP allows images from its own origin only (no blob: or data:
 * URLs) and no inline style, so the picture is drawn again as React elements from the SVG's own paths, without
 * putting the server's markup into the page.
 */
function readSvg(text: string): Drawing {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg') throw new Error('The QR code could not be read.');
  return {
    viewBox: svg.getAttribute('viewBox') ?? '0 0 0 0',
    paths: [...svg.querySelectorAll('path')].map((path) => ({
      d: path.getAttribute('d') ?? '',
      fill: path.getAttribute('fill'),
      stroke: path.getAttribute('stroke'),
    })),
  };
}

/** The link's URL as a QR code, drawn by the server (POST /v1/qr); the URL goes in the body, never a query. */
export function QrCode({ url, label }: { url: string; label: string }) {
  const api = useApi();
  const app = useAppId();
  // Kept only while shown: the picture holds the token as surely as the URL does.
  const drawing = useAppQuery(
    ['qr', url],
    async () => readSvg(await api.v1Text('POST', '/qr', { app, body: { text: url } })),
    { staleTime: Number.POSITIVE_INFINITY, gcTime: 0 },
  );
  if (drawing.error) return <FormError message={drawing.error.message} />;
  if (!drawing.data) return <p role="status">Drawing the QR code…</p>;
  return (
    <svg
      className="qr-code"
      viewBox={drawing.data.viewBox}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      {drawing.data.paths.map((path, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the paths never change order; the SVG has two.
        <path key={i} d={path.d} fill={path.fill ?? 'none'} stroke={path.stroke ?? 'none'} />
      ))}
    </svg>
  );
}
