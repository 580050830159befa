/**
 * The widgets a server may build a page from: GTK's names and methods (after the original
 * web8's SafeGTK), on DOM elements the server never sees.
 *
 * What a server can reach is decided by rpyc-ts's access policy, not by convention: a widget
 * crosses the wire by reference (it is a class instance), and the policy exposes only the
 * methods declared in these class bodies. The element lives in a module-private WeakMap, so no
 * name, however spelled, leads from a widget to the element, the document or the window. Text
 * goes in through `textContent` and `value` only: a server cannot write markup or attributes.
 * Hence the rule for this file: no method may return or take a DOM object (an element would
 * cross by reference, and its class's accessors lead to the document).
 */
import { Web8Error } from "./errors.ts";

/** How many "clicked" handlers one button keeps (a server cannot grow the page's memory). */
export const MAX_HANDLERS_PER_WIDGET = 16;

/** A callback the server passed: a netref to one of its functions. */
export type Handler = () => unknown;

const elements = new WeakMap<Widget, HTMLElement>();

/** The element behind one of our widgets (module-private: not reachable from the wire). */
export function elementOf(widget: Widget): HTMLElement {
  return elements.get(widget)!;
}

function text(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new Web8Error(
      "RPYC_ERR_WEB8_BAD_ARGUMENT",
      `${what} must be a string, got ${typeof value}`,
    );
  }
  return value;
}

/** Every widget: hidden until `show()`, like GTK's. */
export abstract class Widget {
  constructor(element: HTMLElement) {
    element.hidden = true;
    elements.set(this, element);
  }

  show(): void {
    elementOf(this).hidden = false;
  }
}

/** A widget that holds others, in packing order. */
export abstract class Container extends Widget {
  /** Appends `child`, one of this page's widgets, to this container. */
  pack_start(child: unknown): void {
    if (!(child instanceof Widget)) {
      throw new Web8Error(
        "RPYC_ERR_WEB8_BAD_ARGUMENT",
        "pack_start takes a widget this page created for you",
      );
    }
    const element = elementOf(child);
    // GTK's rule: a widget has one parent, set once. The page's content box already has one,
    // so a server cannot lift its page out of the browser's content area.
    if (element.parentElement !== null) {
      throw new Web8Error("RPYC_ERR_WEB8_BAD_ARGUMENT", "that widget is already packed somewhere");
    }
    if (element.contains(elementOf(this))) {
      throw new Web8Error("RPYC_ERR_WEB8_BAD_ARGUMENT", "a widget cannot contain its own parent");
    }
    elementOf(this).append(element);
  }
}

export class Label extends Widget {
  constructor(initial: unknown = "") {
    super(document.createElement("span"));
    this.set_text(initial);
  }
  set_text(value: unknown): void {
    elementOf(this).textContent = text(value, "a label's text");
  }
  get_text(): string {
    return elementOf(this).textContent ?? "";
  }
}

export class Button extends Widget {
  readonly #handlers: Handler[] = [];
  readonly #report: (error: unknown) => void;

  constructor(label: unknown, report: (error: unknown) => void) {
    super(document.createElement("button"));
    this.#report = report;
    this.set_label(label);
    const button = elementOf(this) as HTMLButtonElement;
    button.type = "button";
    button.addEventListener("click", () => {
      for (const handler of this.#handlers) {
        // A handler is the server's function: each click is a call to the server.
        Promise.resolve()
          .then(() => handler())
          .catch(this.#report);
      }
    });
  }

  set_label(value: unknown): void {
    elementOf(this).textContent = text(value, "a button's label");
  }
  get_label(): string {
    return elementOf(this).textContent ?? "";
  }

  /** GTK's `connect(signal, handler)`; only "clicked" exists. Returns the handler's id. */
  connect(signal: unknown, handler: unknown): number {
    if (signal !== "clicked") {
      throw new Web8Error("RPYC_ERR_WEB8_BAD_ARGUMENT", `a button has no signal ${String(signal)}`);
    }
    if (typeof handler !== "function") {
      throw new Web8Error("RPYC_ERR_WEB8_BAD_ARGUMENT", "a handler must be a function");
    }
    if (this.#handlers.length >= MAX_HANDLERS_PER_WIDGET) {
      throw new Web8Error(
        "RPYC_ERR_WEB8_HANDLER_LIMIT",
        `a button keeps at most ${MAX_HANDLERS_PER_WIDGET} handlers`,
      );
    }
    return this.#handlers.push(handler as Handler);
  }
}

export class Entry extends Widget {
  constructor(initial: unknown = "") {
    super(document.createElement("input"));
    this.set_text(initial);
  }
  set_text(value: unknown): void {
    (elementOf(this) as HTMLInputElement).value = text(value, "an entry's text");
  }
  get_text(): string {
    return (elementOf(this) as HTMLInputElement).value;
  }
}

export class TextView extends Widget {
  constructor(initial: unknown = "") {
    super(document.createElement("textarea"));
    this.set_text(initial);
  }
  set_text(value: unknown): void {
    (elementOf(this) as HTMLTextAreaElement).value = text(value, "a text view's text");
  }
  get_text(): string {
    return (elementOf(this) as HTMLTextAreaElement).value;
  }
}

function box(className: string): HTMLElement {
  const element = document.createElement("div");
  element.className = className;
  return element;
}

export class VBox extends Container {
  constructor() {
    super(box("vbox"));
  }
}

export class HBox extends Container {
  constructor() {
    super(box("hbox"));
  }
}

export class ScrolledWindow extends Container {
  constructor() {
    super(box("scrolled"));
  }
}

export class Frame extends Container {
  readonly #legend = document.createElement("legend");

  constructor(label: unknown = "") {
    super(document.createElement("fieldset"));
    elementOf(this).append(this.#legend);
    this.set_label(label);
  }
  set_label(value: unknown): void {
    this.#legend.textContent = text(value, "a frame's label");
  }
  get_label(): string {
    return this.#legend.textContent ?? "";
  }
}
