namespace Keyhub.Commands;

internal static class Usage
{
    public static int Print(TextWriter writer, int exitCode)
    {
        writer.WriteLine("""
            keyhub — self-hosted, Azure Key Vault-compatible key management

            keyhub server [--dev] [--data DIR] [--port N] [--config FILE]
                Start the server. --dev: generated TLS, loopback only, a ready 'hub' vault and admin
                credentials in DIR/dev/credentials.json (DIR defaults to ./.keyhub-dev, port to 8443).
                Without --dev, settings come from FILE (section "Keyhub") and KEYHUB__* environment variables.
            keyhub operator init --data DIR [--port N] [--profile-out FILE] [--tenant-id GUID] [--shares N --threshold K]
            keyhub operator unseal [--share SHARE] [--profile FILE]     (reads the share from standard input if not given)
            keyhub operator seal-status [--profile FILE]
            keyhub operator seal [--profile FILE]                      (Owner; Shamir deployments: back to waiting for shares)
                Create a deployment offline: root key, hub vault on port N, local CA and server certificate,
                and the SecOps Owner principal, whose profile (mode 0600) the commands below use.
            keyhub operator rotate-signing-key
            keyhub operator rotate [--profile FILE]                    (Owner; new barrier term for new records)
            keyhub operator barrier [--profile FILE]                   (terms, encryptions under the active one, re-encryption)
            keyhub operator reencrypt [--profile FILE]                 (Owner; re-encrypt every record under the active term now)
            keyhub operator retire-term TERM [--profile FILE]          (Owner; drop a term no record uses; its backups stop restoring)
            keyhub operator rekey --data DIR --shares N --threshold K --share OLD...   (offline: new root key and shares)
                New token-signing key; the old one stays in the JWKS until the tokens it signed expire.
            keyhub dev env [--data DIR]
                Print export lines for the dev credentials: eval "$(keyhub dev env)".
            keyhub principal add --data DIR --name NAME [--role ROLE --scope SCOPE]
                Add a service principal (offline: the server must be stopped). Prints its client id and
                secret once, as JSON. ROLE is a built-in role name or id; SCOPE e.g. /vaults/hub.
            keyhub principal disable|enable --data DIR --client-id ID
            keyhub principal list --data DIR
            keyhub vault create NAME [--port N] [--owner-group ID] [--sku standard|premium] [--retention-days N] [--purge-protection]
            keyhub vault list|show NAME|update NAME --purge-protection|delete NAME|recover NAME|purge NAME
            keyhub vault update NAME [--cert-dns-suffix SUFFIX]... [--cert-ip-range CIDR]...
                Names the workload CA may issue in the vault (Owner only); each list given replaces the
                stored one, an empty value clears it.
            keyhub ca get [--out FILE] | revoke SERIAL | rotate
                The workload CA: its PEM chain (public), revoking a certificate it issued (hex serial),
                a new issuing intermediate (Owner only).
            keyhub principal create --name NAME [--profile-out FILE] | list | disable ID | enable ID
            keyhub principal add-secret ID [--expires-in-days N] | add-certificate ID --cert PEM | add-workload-credential ID
            keyhub group create --name NAME | list | add-member GROUP PRINCIPAL | remove-member GROUP PRINCIPAL
            keyhub role assign --principal ID --role ROLE --scope SCOPE | list [--scope S] | remove ID | definitions
            keyhub secret set NAME VALUE | get NAME | list | delete NAME        [--vault NAME]
            keyhub key create NAME [--kty RSA|EC|oct] [--size N] [--curve C] | list | wrap|unwrap NAME --value B64URL [--alg A]
                Online commands use --profile FILE (else KEYHUB_PROFILE, else ./.keyhub-dev/dev/credentials.json)
                and print tables, or JSON with --output json.
            keyhub principal hash-secret
                Print a new client id, client secret and the secret's hash, for a principal declared in
                configuration (Keyhub:Principals: ClientId, DisplayName, SecretHash, Enabled, Roles[Role, Scope]).
            """);
        return exitCode;
    }
}
