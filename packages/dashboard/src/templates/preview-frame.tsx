import { useEffect, useRef, useState } from 'react';

/**
 * An email's HTML as a mail client shows it. The frame is the server's empty page /dashboard/preview-frame, served
 * under its own CSP (inline styles, no script) and sandboxed without scripts, and the rendered HTML is written into
 * it. A `srcdoc` frame would inherit the dashboard's CSP, which refuses the inline styles every email uses; writing
 * into a frame of its own keeps the app's markup out of the dashboard's document and its scripts from running.
 */
export function PreviewFrame({ html, title }: { html: string; title: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    const doc = frame.current?.contentDocument;
    if (!loaded || !doc) return;
    doc.open();
    doc.write(html);
    doc.close();
  }, [html, loaded]);
  return (
    <iframe
      ref={frame}
      className="preview-frame"
      src={`${import.meta.env.BASE_URL}preview-frame`}
      sandbox="allow-same-origin"
      title={title}
      onLoad={() => setLoaded(true)}
    />
  );
}
