import { useEffect, useState } from 'react';

/**
 * Copies `text` to the clipboard and says so where screen readers hear it. Where the clipboard is refused (plain
 * HTTP on another host than localhost), it says to select the text instead.
 */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (!said) return;
    const timer = setTimeout(() => setSaid(''), 4000);
    return () => clearTimeout(timer);
  }, [said]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('This browser refused the clipboard here: select the text and copy it.');
    }
  }
  return (
    <span className="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted">
        {said}
      </span>
    </span>
  );
}
