/**
 * The network diagram's weights from the keyboard. The weights are one Tab stop (the
 * diagram's links layer); inside it the arrow keys move between weights (Up and Down
 * within a layer, Left and Right to the layer before or after, Home and End to a
 * layer's first and last), Enter opens the number box of the current one, and Escape
 * there gives up the edit and comes back here.
 * @module
 */

/** One weight: `[out, input]` of `Linear` layer `layer`. */
export interface LinkRef {
  layer: number;
  out: number;
  input: number;
}

/**
 * The weight a key moves to from `at` in a network of `sizes` neurons per column
 * (`null` from nowhere: the first weight). Null when the key is not a move or there are no
 * weights; `at` itself at a layer's end.
 */
export function moveLink(sizes: readonly number[], at: LinkRef | null, key: string): LinkRef | null {
  const layers = sizes.length - 1;
  if (layers < 1) return null;
  const count = (l: number) => (sizes[l] ?? 0) * (sizes[l + 1] ?? 0);
  const ref = (l: number, k: number): LinkRef => ({ layer: l, out: Math.floor(k / sizes[l]!), input: k % sizes[l]! });
  if (at === null) return ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(key) ? ref(0, 0) : null;
  const l = Math.min(Math.max(at.layer, 0), layers - 1);
  const k = at.out * sizes[l]! + at.input;
  switch (key) {
    case 'ArrowDown':
      return ref(l, Math.min(k + 1, count(l) - 1));
    case 'ArrowUp':
      return ref(l, Math.max(k - 1, 0));
    case 'Home':
      return ref(l, 0);
    case 'End':
      return ref(l, count(l) - 1);
    case 'ArrowRight':
    case 'ArrowLeft': {
      const next = key === 'ArrowRight' ? Math.min(l + 1, layers - 1) : Math.max(l - 1, 0);
      if (next === l) return at;
      return {
        layer: next,
        out: Math.min(at.out, sizes[next + 1]! - 1),
        input: Math.min(at.input, sizes[next]! - 1),
      };
    }
    default:
      return null;
  }
}

/** What the diagram does for the keyboard's current weight. */
export interface LinkKeyActions {
  /** The network's neurons per column. */
  sizes(): readonly number[];
  /** Shows (highlights, describes) the current weight. */
  show(link: LinkRef): void;
  /** Focus has left the weights. */
  hide(): void;
  /** Enter: edit the current weight. */
  edit(link: LinkRef): void;
}

/** Makes `target` the weights' Tab stop. */
export class LinkKeys {
  private at: LinkRef | null = null;

  constructor(
    private readonly target: SVGSVGElement,
    private readonly actions: LinkKeyActions,
  ) {
    target.setAttribute('tabindex', '0');
    target.setAttribute('role', 'application');
    target.setAttribute('aria-roledescription', 'weights');
    target.setAttribute('aria-label', 'Weights: the arrow keys choose a weight, Enter edits it');
    target.addEventListener('focus', () => {
      const at = this.valid(this.at) ?? moveLink(this.actions.sizes(), null, 'Home');
      this.at = at;
      if (at) this.actions.show(at);
    });
    target.addEventListener('blur', () => this.actions.hide());
    target.addEventListener('keydown', (e) => this.key(e));
  }

  /** Focuses the weights again (after an edit from the keyboard). */
  focus(): void {
    this.target.focus();
  }

  /** The network changed shape: start from the first weight next time. */
  reset(): void {
    this.at = null;
  }

  private valid(at: LinkRef | null): LinkRef | null {
    const sizes = this.actions.sizes();
    if (at === null || at.layer >= sizes.length - 1) return null;
    return at.input < sizes[at.layer]! && at.out < sizes[at.layer + 1]! ? at : null;
  }

  private key(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const at = this.valid(this.at);
    if (e.key === 'Enter' && at) {
      e.preventDefault();
      this.actions.edit(at);
      return;
    }
    const next = moveLink(this.actions.sizes(), at, e.key);
    if (next === null) return;
    e.preventDefault();
    this.at = next;
    this.actions.show(next);
  }
}
