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
            keyhub dev env [--data DIR]
                Print export lines for the dev credentials: eval "$(keyhub dev env)".
            keyhub principal add --data DIR --name NAME [--role ROLE --scope SCOPE]
                Add a service principal (offline: the server must be stopped). Prints its client id and
                secret once, as JSON. ROLE is a built-in role name or id; SCOPE e.g. /vaults/hub.
            keyhub principal disable|enable --data DIR --client-id ID
            keyhub principal list --data DIR
            keyhub principal hash-secret
                Print a new client id, client secret and the secret's hash, for a principal declared in
                configuration (Keyhub:Principals: ClientId, DisplayName, SecretHash, Enabled, Roles[Role, Scope]).
            """);
        return exitCode;
    }
}
