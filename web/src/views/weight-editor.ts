/**
 * A small number box over the network diagram for editing one weight: opened by clicking
 * a link, committed with Enter (or by leaving the box with a changed value), dropped with Escape.
 * @module
 */

/** The inline editor inside `root` (which must be positioned). */
export class WeightEditor {
  private readonly box: HTMLLabelElement;
  private readonly input: HTMLInputElement;
  private readonly caption: HTMLSpanElement;
  private commit: ((value: number) => void) | null = null;
  private initial = '';

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
        this.close(true);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.close(false);
      }
    });
    this.input.addEventListener('blur', () => this.close(true));
  }

  /** Opens the editor at `(x, y)` inside the root for a weight named `label`. */
  open(x: number, y: number, label: string, value: number, commit: (value: number) => void): void {
    this.commit = commit;
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

  private close(apply: boolean): void {
    if (this.box.hidden) return;
    const commit = this.commit;
    this.commit = null;
    this.box.hidden = true;
    const v = Number(this.input.value);
    if (apply && commit && this.input.value.trim() !== '' && this.input.value !== this.initial && Number.isFinite(v)) commit(v);
  }
}
