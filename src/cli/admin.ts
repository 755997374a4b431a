import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { AuditContext } from "../domain/audit/audit-entry.js";
import { AuditTrail } from "../domain/audit/audit-trail.js";
import { ApiKeys } from "../domain/api-keys.js";
import { systemClock } from "../domain/clock.js";
import { isUuid } from "../domain/ids.js";
import { ConfigError, loadConfig } from "../config.js";
import { openStores } from "../open-stores.js";
import { StoreUnavailableError } from "../domain/errors.js";

const USAGE = `Usage: npm run admin -- <command>

Commands (against the store in MONGODB_URI / MONGODB_DB):
  keys create --organization <uuid> --role <admin|member> [--name <text>]
      Creates a management API key and prints it once; only its hash is stored.
  keys list [--organization <uuid>]
      Lists keys (id, organization, role, name, created, revoked); never the keys themselves.
  keys revoke <key id>
      Revokes a key: it stops authenticating at once.
`;

class UsageError extends Error {}

/** The admin CLI: management API keys against the configured MongoDB. */
export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      organization: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || group === undefined) {
    out(USAGE);
    return;
  }
  if (group !== "keys" || !["create", "list", "revoke"].includes(command ?? "")) throw new UsageError(`unknown command "${positionals.join(" ")}"`);

  const config = loadConfig(env);
  if (config.mongodbUri === undefined) {
    throw new UsageError("MONGODB_URI is not set: the embedded store lives inside the server process, so keys can only be managed in MongoDB");
  }
  const stores = await openStores(config);
  try {
    // The CLI's changes go into the audit trail as the actor "cli"; one request id per invocation.
    const context: AuditContext = { actor: { kind: "cli", id: "cli" }, requestId: randomUUID(), clientAddress: "" };
    const trail = new AuditTrail({
      store: stores.audit,
      clock: systemClock,
      onLost: (entry, err) => process.stderr.write(`warning: the audit entry ${entry.action} ${entry.subjectId} could not be stored: ${err instanceof Error ? err.message : String(err)}\n`),
    });
    const keys = new ApiKeys(stores.apiKeys, systemClock, trail);
    if (command === "create") {
      const organizationId = values.organization ?? "";
      if (!isUuid(organizationId)) throw new UsageError("--organization must be a UUID");
      const role = values.role;
      if (role !== "admin" && role !== "member") throw new UsageError("--role must be admin or member");
      const name = values.name ?? `${role} key`;
      if (name.length > 128) throw new UsageError("--name must be at most 128 characters");
      const { key, record } = await keys.issue(organizationId.toLowerCase(), role, name, context);
      out(`created ${role} key ${record.id} for organization ${record.organizationId}`);
      out(`API key (shown only now, store it securely): ${key}`);
    } else if (command === "list") {
      if (values.organization !== undefined && !isUuid(values.organization)) throw new UsageError("--organization must be a UUID");
      const list = await keys.list(values.organization?.toLowerCase());
      out(["id", "organization", "role", "name", "created", "revoked"].join("\t"));
      for (const k of list) {
        out([k.id, k.organizationId, k.role, k.name, k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? "-"].join("\t"));
      }
    } else {
      const id = rest[0] ?? "";
      if (!isUuid(id)) throw new UsageError("keys revoke takes the key id (a UUID) shown by keys list");
      const revoked = await keys.revoke(id.toLowerCase(), context);
      if (!revoked) throw new UsageError(`no API key with id ${id}`);
      out(`revoked key ${revoked.id} (organization ${revoked.organizationId}, role ${revoked.role}) at ${revoked.revokedAt?.toISOString()}`);
    }
  } finally {
    await stores.close();
  }
}

// Run when executed directly (not when imported by tests).
if (import.meta.url === `file://${process.argv[1]}`) {
  runAdmin(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).catch((err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof StoreUnavailableError) {
      process.stderr.write("error: cannot reach MongoDB at MONGODB_URI\n");
      process.exit(1);
    }
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
