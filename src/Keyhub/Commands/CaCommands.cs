using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Keyhub.Core.IO;

namespace Keyhub.Commands;

/// <summary><c>keyhub ca get</c>: the workload CA's chain (public, fetched without a token).</summary>
internal static class CaCommands
{
    /// <summary>
    /// Prints the PEM chain (intermediate, then root); with <c>--out FILE</c> writes it there and lists what it
    /// holds; with <c>--output json</c> describes each certificate and includes the PEM.
    /// </summary>
    public static async Task<(JsonNode? Result, string[] Columns)> GetAsync(KeyhubApiClient client, Arguments args, Output output, CancellationToken cancellationToken)
    {
        var outFile = args.Optional("out");
        args.RejectUnknown();
        var pem = await client.PublicTextAsync("ca", cancellationToken);
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            throw new CommandLineException("Keyhub answered /keyhub/v1/ca with something that is not a PEM certificate chain");
        }
        var described = new JsonArray();
        foreach (var certificate in chain)
        {
            described.Add(new JsonObject
            {
                ["subject"] = certificate.Subject,
                ["serialNumber"] = certificate.SerialNumber.ToLowerInvariant(),
                ["notBefore"] = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()).ToUnixTimeSeconds(),
                ["notAfter"] = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
                ["thumbprintSha256"] = certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            });
            certificate.Dispose();
        }
        if (outFile is not null)
        {
            // Public certificates: readable by everyone, unlike the profiles the CLI writes.
            PrivateFile.WriteAtomically(Path.GetFullPath(outFile), Encoding.ASCII.GetBytes(pem), ownerOnly: false);
        }
        else if (!output.IsJson)
        {
            Console.Write(pem);
            return (null, []);
        }
        return (new JsonObject { ["value"] = described, ["pem"] = pem }, ["subject", "serialNumber", "notAfter"]);
    }
}
