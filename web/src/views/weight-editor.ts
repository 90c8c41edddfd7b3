/**
 * A small number box over the network diagram for editing one weight: opened by clicking
 * a link (or Enter on the keyboard's current weight), committed with Enter (or by leaving
 * the box with a changed value), dropped with Escape. Enter and Escape give the focus back
 * to where the edit came from, when it came from the keyboard.
 * @module
 */

/** The inline editor inside `root` (which must be positioned). */
export class WeightEditor {
  private readonly box: HTMLLabelElement;
  private readonly input: HTMLInputElement;
  private readonly caption: HTMLSpanElement;
  private commit: ((value: number) => void) | null = null;
  private initial = '';
  private back: (() => void) | null = null;

  constructor(root: HTMLElement) {
    this.box = document.createElement('label');
    this.box.className = 'weight-editor';
    this.box.hidden = true;
    this.caption = document.createElement('span');
    this.input = document.createElement('input');
    this.input.type = 'number';
    this.input.step = 'any';
    this.input.setAttribute('aria-label', 'Edit a weight');
    this.box.append(this.caption, this.input);
    root.append(this.box);
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.close(true, true);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        // Not the page's Escape (nor the diagram's): only the edit ends.
        e.stopPropagation();
        this.close(false, true);
      }
    });
    this.input.addEventListener('blur', () => this.close(true, false));
  }

  /**
   * Opens the editor at `(x, y)` inside the root for a weight named `label`; `back`
   * returns the focus after Enter or Escape (a keyboard edit).
   */
  open(x: number, y: number, label: string, value: number, commit: (value: number) => void, back: (() => void) | null = null): void {
    this.commit = commit;
    this.back = back;
    this.caption.textContent = label;
    this.initial = value.toFixed(3);
    this.input.value = this.initial;
    this.input.setAttribute('aria-label', `Edit the ${label}`);
    this.box.style.left = `${Math.max(4, x)}px`;
    this.box.style.top = `${Math.max(0, y)}px`;
    this.box.hidden = false;
    this.input.focus();
    this.input.select();
  }

  /** Whether the box is open. */
  get isOpen(): boolean {
    return !this.box.hidden;
  }

  private close(apply: boolean, refocus: boolean): void {
    if (this.box.hidden) return;
    const commit = this.commit;
    const back = this.back;
    this.commit = null;
    this.back = null;
    this.box.hidden = true;
    const v = Number(this.input.value);
    if (apply && commit && this.input.value.trim() !== '' && this.input.value !== this.initial && Number.isFinite(v)) commit(v);
    if (refocus) back?.();
  }
}
