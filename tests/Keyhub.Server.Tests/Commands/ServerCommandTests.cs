using Keyhub.Commands;

namespace Keyhub.Server.Tests.Commands;

public sealed class ServerCommandTests
{
    [Fact]
    public void Configuration_file_binds_vaults_and_declared_principals()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                {
                  "Keyhub": {
                    "Port": 9443,
                    "BaseDomain": "vault.example.internal",
                    "TlsCertificatePath": "/etc/keyhub/tls.pem",
                    "TlsKeyPath": "/etc/keyhub/tls-key.pem",
                    "Vaults": [ { "Name": "hub", "Port": 9444, "RetentionDays": 30, "PurgeProtection": true }, { "Name": "spoke-a" } ],
                    "Principals": [ {
                      "ClientId": "11111111-2222-3333-4444-555555555555",
                      "DisplayName": "payments-app",
                      "SecretHash": "v1.eBkxFepJO4elPXXjmu67IQ.V2hznK_C_zYkJ1EJAFX3Q6rKanEEyZb_sykJKfdFThs",
                      "Roles": [ { "Role": "Key Vault Secrets User", "Scope": "/vaults/spoke-a" } ]
                    } ]
                  }
                }
                """);
            var options = ServerCommand.LoadOptions(file);
            Assert.Equal(9443, options.Port);
            Assert.Equal("vault.example.internal", options.BaseDomain);
            Assert.Equal(2, options.Vaults.Count);
            Assert.Equal(9444, options.Vaults[0].Port);
            Assert.Equal(30, options.Vaults[0].RetentionDays);
            Assert.True(options.Vaults[0].PurgeProtection);
            Assert.Null(options.Vaults[1].Port);
            var principal = Assert.Single(options.Principals);
            Assert.Equal("payments-app", principal.DisplayName);
            Assert.True(principal.Enabled);
            Assert.Equal("/vaults/spoke-a", Assert.Single(principal.Roles).Scope);
            Assert.Empty(options.Validate());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
