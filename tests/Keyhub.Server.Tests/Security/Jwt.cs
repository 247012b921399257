using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// Builds JWTs by hand so tests can forge exactly one defect at a time: base64url header and payload,
/// ES256 signatures in the IEEE P1363 (r ‖ s) form JWS uses.
/// </summary>
internal static class Jwt
{
    public static string SignEs256(JsonObject header, JsonObject payload, ECDsa key)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    public static string SignHs256(JsonObject header, JsonObject payload, byte[] secret)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>An <c>alg: none</c> token: header and payload with an empty signature part.</summary>
    public static string Unsigned(JsonObject header, JsonObject payload) => $"{Encode(header)}.{Encode(payload)}.";

    public static JsonObject Header(string token) => Part(token, 0);

    public static JsonObject Payload(string token) => Part(token, 1);

    public static string Encode(JsonObject part) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(part.ToJsonString()));

    private static JsonObject Part(string token, int index) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[index]))!.AsObject();
}
