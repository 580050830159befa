/**
 * The command line of `mount.rpycfs`, in mount(8)'s helper convention:
 * `mount.rpycfs host:/relpath <mountpoint> [-sfnv] [-o opt[,opt…]]…`, so that
 * `mount -t rpycfs host:/x /mnt -o …` works once it is installed as `/sbin/mount.rpycfs`.
 */
import { readFile } from "node:fs/promises";
import { UsageError, readSecretFile } from "./usage.ts";

export const MOUNT_HELP = `usage: mount.rpycfs host:/relpath <mountpoint> -o port=N,user=NAME,password=PW[,options]

Mounts the directory relpath of an rpycfsd export on <mountpoint> (FUSE). Daemonizes once
mounted unless -o foreground; unmount with umount <mountpoint> (fusermount -u as a non-root user).

options (comma-separated, -o may repeat):
  port=N              rpycfsd's port (default 12345)
  user=NAME           user name
  password=PW         password. WARNING: it shows in ps(1); prefer password_file or RPYCFS_PASSWORD
  password_file=FILE  read the password from FILE (mode 600); env RPYCFS_PASSWORD also works
  ro / rw             read-only (writes fail with EROFS) / read-write (default)
  foreground          stay in the foreground (logs to stderr) instead of daemonizing
  allow_other         let other local users use the mount (root, or user_allow_other in fuse.conf)
  tls                 connect with TLS (the server's certificate is verified)
  tls_ca=FILE         trust this CA (PEM) for the server certificate
  tls_cert=FILE,tls_key=FILE  client certificate for servers that require one
  tls_servername=NAME name the server certificate must carry (default: host)
  timeout=S           seconds before a request to a silent server fails with EIO (default 20)
  debug               libfuse debug output (with foreground)
  Ignored (for fstab): defaults, auto, noauto, _netdev, nofail, user, users, exec, noexec, suid,
  nosuid, dev, nodev, atime, noatime, relatime.

Example:
  rpycfsd /srv/share --port 12345 --user foo --password-file /root/pw
  mount.rpycfs localhost:/ /mnt/share -o port=12345,user=foo,password_file=/root/pw
  umount /mnt/share
`;

export interface MountOptions {
  readonly host: string;
  readonly relpath: string;
  readonly mountpoint: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly readOnly: boolean;
  readonly foreground: boolean;
  readonly allowOther: boolean;
  readonly debug: boolean;
  readonly timeoutMs: number;
  readonly tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  /** mount -f: parse everything, mount nothing. */
  readonly fake: boolean;
}

const IGNORED = new Set(
  "defaults auto noauto _netdev nofail user users exec noexec suid nosuid dev nodev atime noatime relatime strictatime".split(
    " ",
  ),
);

/** Splits `host:/relpath` (`[v6addr]:/path` too). */
export function parseSpec(spec: string): { host: string; relpath: string } {
  const m = /^(\[[^\]]+\]|[^:/]+):(.*)$/.exec(spec);
  if (!m) throw new UsageError(`expected host:/relpath, not ${JSON.stringify(spec)}`);
  const host = m[1]!.replace(/^\[|\]$/g, "");
  let relpath = m[2]!;
  if (!relpath.startsWith("/")) relpath = `/${relpath}`;
  relpath = relpath.replace(/\/+$/, "") || "/";
  return { host, relpath };
}

export async function parseMountArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<MountOptions | "help"> {
  const positionals: string[] = [];
  const opts: string[] = [];
  let fake = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") return "help";
    if (a === "-o") {
      const value = argv[++i];
      if (value === undefined) throw new UsageError("-o needs a value");
      opts.push(...value.split(","));
    } else if (a.startsWith("-o")) opts.push(...a.slice(2).split(","));
    else if (a === "-f") fake = true;
    else if (a === "-s" || a === "-n" || a === "-v") continue;
    else if (a === "-t" || a === "-N") i++;
    else if (a.startsWith("-")) throw new UsageError(`unknown flag ${a}`);
    else positionals.push(a);
  }
  if (positionals.length !== 2) throw new UsageError("give host:/relpath and a mount point");
  const { host, relpath } = parseSpec(positionals[0]!);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const o of opts) {
    if (o === "") continue;
    const eq = o.indexOf("=");
    if (eq < 0) flags.add(o);
    else values.set(o.slice(0, eq), o.slice(eq + 1));
  }
  const known = new Set(
    "port user password password_file tls_ca tls_cert tls_key tls_servername timeout".split(" "),
  );
  for (const k of values.keys()) if (!known.has(k)) throw new UsageError(`unknown option ${k}=`);
  for (const f of flags) {
    if (!IGNORED.has(f) && !["ro", "rw", "foreground", "allow_other", "tls", "debug"].includes(f)) {
      throw new UsageError(`unknown option ${f}`);
    }
  }
  const port = Number(values.get("port") ?? "12345");
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`port must be 1..65535, not ${values.get("port")}`);
  }
  const user = values.get("user");
  if (!user) throw new UsageError("give -o user=NAME");
  let password = values.get("password");
  const file = values.get("password_file");
  if (password === undefined && file !== undefined) {
    password = (await readSecretFile(file, "password_file")).split("\n")[0];
  }
  password ??= env.RPYCFS_PASSWORD;
  if (password === undefined) {
    throw new UsageError("give -o password=…, -o password_file=FILE or RPYCFS_PASSWORD");
  }
  const timeout = Number(values.get("timeout") ?? "20");
  if (!(timeout > 0)) throw new UsageError("timeout must be a positive number of seconds");
  let tls: MountOptions["tls"];
  if (flags.has("tls") || [...values.keys()].some((k) => k.startsWith("tls_"))) {
    const read = async (k: string) => {
      const path = values.get(k);
      return path === undefined ? undefined : await readFile(path, "utf8");
    };
    tls = {
      ...(values.has("tls_ca") ? { ca: await read("tls_ca") } : {}),
      ...(values.has("tls_cert") ? { cert: await read("tls_cert") } : {}),
      ...(values.has("tls_key") ? { key: await read("tls_key") } : {}),
      ...(values.has("tls_servername") ? { servername: values.get("tls_servername")! } : {}),
    };
  }
  return {
    host,
    relpath,
    mountpoint: positionals[1]!,
    port,
    user,
    password,
    readOnly: flags.has("ro") && !flags.has("rw"),
    foreground: flags.has("foreground"),
    allowOther: flags.has("allow_other"),
    debug: flags.has("debug"),
    timeoutMs: timeout * 1000,
    ...(tls ? { tls } : {}),
    fake,
  };
}
