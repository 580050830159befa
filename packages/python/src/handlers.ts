/**
 * RPyC's request handler ids (`rpyc/core/consts.py` HANDLE_*) and boxing labels (LABEL_*).
 * A REQUEST body is `(handler, boxed_args)`; the args tuple is boxed as a whole, arg 0 is the
 * target object.
 */
export const Handler = Object.freeze({
  PING: 1,
  CLOSE: 2,
  GETROOT: 3,
  GETATTR: 4,
  DELATTR: 5,
  SETATTR: 6,
  CALL: 7,
  CALLATTR: 8,
  REPR: 9,
  STR: 10,
  CMP: 11,
  HASH: 12,
  DIR: 13,
  PICKLE: 14,
  DEL: 15,
  INSPECT: 16,
  BUFFITER: 17,
  OLDSLICING: 18,
  CTXEXIT: 19,
  INSTANCECHECK: 20,
});
export type Handler = (typeof Handler)[keyof typeof Handler];

/** The handler's name, for messages ("CALLATTR"). */
export function handlerName(id: number): string {
  for (const [name, value] of Object.entries(Handler)) if (value === id) return name;
  return `handler ${id}`;
}

/** Boxing labels, from the sender's view. */
export const Label = Object.freeze({
  /** `(1, brine_value)`: by value. */
  VALUE: 1,
  /** `(2, (box, …))`: a tuple with items that are not brine values. */
  TUPLE: 2,
  /** `(3, id_pack)`: "your object", a netref the sender holds to the receiver's object. */
  LOCAL_REF: 3,
  /** `(4, id_pack)`: "my object", the receiver makes (or reuses) a netref. */
  REMOTE_REF: 4,
});

/** `(name_pack, class_id, instance_id)`: how RPyC names an object sent by reference. */
export type IdPack = readonly [name: string, classId: number | bigint, instanceId: number | bigint];

/** True for a well-formed id_pack. */
export function isIdPack(v: unknown): v is IdPack {
  return (
    Array.isArray(v) &&
    v.length === 3 &&
    typeof v[0] === "string" &&
    (typeof v[1] === "number" || typeof v[1] === "bigint") &&
    (typeof v[2] === "number" || typeof v[2] === "bigint")
  );
}

/** StopIteration travels as this int instead of a vinegar tuple (`EXC_STOP_ITERATION`). */
export const EXC_STOP_ITERATION = 1;
