/** Text where `backticks` mark commands and routes, shown as code. */
export function InlineCode({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, index) =>
        // Odd parts were between backticks; parts are fixed strings, so their index is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of a fixed string never move
        index % 2 === 1 ? <code key={index}>{part}</code> : part,
      )}
    </>
  );
}
