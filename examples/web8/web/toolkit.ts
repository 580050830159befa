/**
 * The capability object a page hands the server (the original's SafeGTK): the widget
 * constructors and nothing else. No Window ("so the server can't open pop-ups"), no document,
 * no way to reach an element; and at most `maxWidgets` widgets per page, so a server cannot eat
 * the tab's memory.
 */
import { Web8Error } from "./errors.ts";
import {
  Button,
  Entry,
  Frame,
  HBox,
  Label,
  ScrolledWindow,
  TextView,
  VBox,
  type Widget,
} from "./widgets.ts";

/** How many widgets one page load may create. */
export const DEFAULT_MAX_WIDGETS = 10_000;

/**
 * One page load's widget factory. Its methods are the only thing the server can call on it
 * (a class instance: the access policy exposes class-body methods, not fields, and `#private`
 * members not at all).
 *
 * @example
 * const gtk = new Toolkit(report);
 * await conn.root.get_page(gtk, contentBox, "main"); // the server calls gtk.Label("hi"), …
 */
export class Toolkit {
  readonly #report: (error: unknown) => void;
  readonly #maxWidgets: number;
  #created = 0;

  /** `report` receives failures of the server's click handlers (shown on the status line). */
  constructor(report: (error: unknown) => void, maxWidgets = DEFAULT_MAX_WIDGETS) {
    this.#report = report;
    this.#maxWidgets = maxWidgets;
  }

  Label(text?: unknown): Label {
    return this.#count(() => new Label(text));
  }
  Button(label?: unknown): Button {
    return this.#count(() => new Button(label ?? "", this.#report));
  }
  VBox(): VBox {
    return this.#count(() => new VBox());
  }
  HBox(): HBox {
    return this.#count(() => new HBox());
  }
  Entry(text?: unknown): Entry {
    return this.#count(() => new Entry(text));
  }
  Frame(label?: unknown): Frame {
    return this.#count(() => new Frame(label));
  }
  TextView(text?: unknown): TextView {
    return this.#count(() => new TextView(text));
  }
  ScrolledWindow(): ScrolledWindow {
    return this.#count(() => new ScrolledWindow());
  }

  #count<W extends Widget>(create: () => W): W {
    if (this.#created >= this.#maxWidgets) {
      throw new Web8Error(
        "RPYC_ERR_WEB8_WIDGET_LIMIT",
        `this page already created ${this.#maxWidgets} widgets, the most a server may create`,
      );
    }
    const widget = create(); // may throw on a bad argument: then it does not count
    this.#created++;
    return widget;
  }
}
