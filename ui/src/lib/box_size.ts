/**
 * An element's inner height and font size (px), now and whenever it is resized: what a panel needs
 * to show as many whole rows as it holds. Returns the disconnect, for an `$effect`'s cleanup.
 */
export function watchBoxSize(box: HTMLElement, measured: (height: number, em: number) => void): () => void {
  const observer = new ResizeObserver(() =>
    measured(box.clientHeight, parseFloat(getComputedStyle(box).fontSize)),
  );
  observer.observe(box);
  return () => observer.disconnect();
}
