import type { CreateSSOConfigurationRequest, UpdateSSOConfigurationRequest } from "../../gen/gitpod/v1/organization_pb.js";
import { hashSecret } from "../domain/secret-token.js";
import { domainName, lengthBetween, maxItems, optionalText, plainText, requiredText, requireUri, uniqueItems } from "../domain/rules.js";
import type { NewSsoConfiguration } from "../domain/sso-configurations.js";
import { ValidationError } from "../domain/validation-error.js";
import type { SsoConfigurationPatch } from "../domain/ports.js";
import { stateFromProto } from "./mappers.js";

/**
 * Caps on everything an SSO configuration stores (issue: 45,000 email domains once made an
 * organization's list fail forever). Upstream's own rules where it has them (display name,
 * scopes, claims expression); the rest chosen well above what identity providers use.
 */
export const SSO_LIMITS = {
  clientIdMax: 256,
  clientSecretMax: 1024,
  issuerUrlMax: 1024,
  displayNameMax: 128,
  emailDomainsMaxItems: 100,
  scopesMaxItems: 100,
  scopeMax: 128,
  claimsMaxEntries: 100,
  claimKeyMax: 256,
  claimValueMax: 1024,
  claimsTotalMax: 16_384,
  claimsExpressionMax: 4096,
} as const;
const L = SSO_LIMITS;

/** Validates a create request's SSO fields (all but organization_id) into a new record's fields. */
export function ssoCreateInput(req: CreateSSOConfigurationRequest): Omit<NewSsoConfiguration, "organizationId"> {
  return {
    clientId: requiredText("client_id", req.clientId, L.clientIdMax),
    clientSecretHash: hashSecret(requiredText("client_secret", req.clientSecret, L.clientSecretMax)),
    issuerUrl: requireUri("issuer_url", req.issuerUrl, L.issuerUrlMax),
    state: "inactive",
    providerType: "custom",
    claims: {},
    emailDomain: req.emailDomain === undefined ? "" : emailDomain(req.emailDomain),
    emailDomains: emailDomains(req.emailDomains),
    displayName: optionalText("display_name", req.displayName, L.displayNameMax),
    additionalScopes: scopes(req.additionalScopes),
    claimsExpression: claimsExpression(req.claimsExpression ?? ""),
  };
}

/** Validates an update request into a patch: absent fields stay unchanged. */
export function ssoUpdatePatch(req: UpdateSSOConfigurationRequest): SsoConfigurationPatch {
  const patch: SsoConfigurationPatch = {};
  if (req.clientId !== undefined) patch.clientId = requiredText("client_id", req.clientId, L.clientIdMax);
  if (req.clientSecret !== undefined) patch.clientSecretHash = hashSecret(requiredText("client_secret", req.clientSecret, L.clientSecretMax));
  if (req.issuerUrl !== undefined) patch.issuerUrl = requireUri("issuer_url", req.issuerUrl, L.issuerUrlMax);
  if (req.state !== undefined) {
    const state = stateFromProto(req.state);
    if (state === undefined || state === "unspecified") {
      throw new ValidationError("state", "must be SSO_CONFIGURATION_STATE_INACTIVE or SSO_CONFIGURATION_STATE_ACTIVE");
    }
    patch.state = state;
  }
  // A proto3 map cannot say "absent" apart from "empty": only a non-empty map replaces the claims.
  if (Object.keys(req.claims).length > 0) patch.claims = claims(req.claims);
  if (req.emailDomain !== undefined) patch.emailDomain = emailDomain(req.emailDomain);
  if (req.emailDomains.length > 0) patch.emailDomains = emailDomains(req.emailDomains);
  if (req.displayName !== undefined) patch.displayName = optionalText("display_name", req.displayName, L.displayNameMax);
  if (req.additionalScopes !== undefined) patch.additionalScopes = scopes(req.additionalScopes.scopes, "additional_scopes.scopes");
  if (req.claimsExpression !== undefined) patch.claimsExpression = claimsExpression(req.claimsExpression);
  return patch;
}

function emailDomain(value: string): string {
  if ([...value].length < 4) throw new ValidationError("email_domain", "must be at least 4 characters");
  return domainName("email_domain", value);
}

function emailDomains(values: readonly string[]): string[] {
  maxItems("email_domains", values, L.emailDomainsMaxItems);
  const out = values.map((v, i) => domainName(`email_domains[${i}]`, v));
  uniqueItems("email_domains", out);
  return out;
}

function scopes(values: readonly string[], field = "additional_scopes"): string[] {
  maxItems(field, values, L.scopesMaxItems);
  return values.map((v, i) => {
    const at = `${field}[${i}]`;
    plainText(at, v);
    if (/\s/.test(v)) throw new ValidationError(at, "must not contain white space (send each scope as its own item)");
    return lengthBetween(at, v, 1, L.scopeMax);
  });
}

function claims(map: Record<string, string>): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > L.claimsMaxEntries) throw new ValidationError("claims", `must have at most ${L.claimsMaxEntries} entries (got ${entries.length})`);
  let total = 0;
  for (const [k, v] of entries) {
    plainText("claims key", k);
    if (k.trim() === "") throw new ValidationError("claims key", `${JSON.stringify(k)} must not be empty or only white space`);
    lengthBetween("claims key", k, 1, L.claimKeyMax);
    plainText(`claims["${k}"]`, v);
    lengthBetween(`claims["${k}"]`, v, 0, L.claimValueMax);
    total += [...k].length + [...v].length;
  }
  if (total > L.claimsTotalMax) throw new ValidationError("claims", `keys and values together must be at most ${L.claimsTotalMax} characters (got ${total})`);
  return { ...map };
}

function claimsExpression(value: string): string {
  return optionalText("claims_expression", value, L.claimsExpressionMax, { multiline: true });
}
