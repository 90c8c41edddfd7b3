/**
 * The network diagram's tooltip: one line of text placed near a neuron or a weight, kept
 * inside the diagram, and announced (a status region) when it changes.
 * @module
 */

/** A tooltip inside `root` (which must be positioned), kept above `floor()` pixels. */
export class Tooltip {
  private readonly el: HTMLDivElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly floor: () => number,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'tooltip';
    this.el.setAttribute('role', 'status');
    this.el.hidden = true;
    root.append(this.el);
  }

  /** Shows `text` at `(x, y)` pixels from the root's top left corner (moved in to fit). */
  show(text: string, x: number, y: number): void {
    this.el.textContent = text;
    this.el.hidden = false;
    this.place(x, y);
  }

  /** Shows `text` next to the pointer. */
  showAt(text: string, e: PointerEvent): void {
    this.el.textContent = text;
    this.el.hidden = false;
    this.follow(e);
  }

  /** Follows the pointer. */
  follow(e: PointerEvent): void {
    const r = this.root.getBoundingClientRect();
    this.place(e.clientX - r.left + 12, e.clientY - r.top + 12);
  }

  hide(): void {
    this.el.hidden = true;
  }

  private place(x: number, y: number): void {
    const maxX = this.root.clientWidth - this.el.offsetWidth - 4;
    const maxY = this.floor() - this.el.offsetHeight - 2;
    this.el.style.left = `${Math.max(4, Math.min(x, maxX))}px`;
    this.el.style.top = `${Math.max(0, Math.min(y, maxY))}px`;
  }
}
