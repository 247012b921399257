// Baselines for bench/run.sh: a bare ASP.NET Core (Kestrel) HTTPS server with Keyhub's TLS settings
// (same certificate, TLS 1.2+), and one endpoint per scenario doing only the irreducible work:
// parse the same JSON request body, run the same System.Security.Cryptography operation on keys
// generated once at startup, and return the result base64url in a JSON body of similar shape.
using System.Buffers.Text;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

var port = 0;
string? certPath = null, keyPath = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--cert": certPath = args[i + 1]; break;
        case "--key": keyPath = args[i + 1]; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}
if (port == 0 || certPath is null || keyPath is null)
{
    Console.Error.WriteLine("usage: Baseline --port N --cert server.pem --key server-key.pem");
    return 2;
}

X509Certificate2 certificate;
using (var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath))
{
    certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https =>
    {
        https.ServerCertificate = certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
    }));
});
var app = builder.Build();

// Keys generated once at startup (the baseline's "vault").
using var rsa = RSA.Create(2048);
using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var aesKey = RandomNumberGenerator.GetBytes(32);
using var aes = Aes.Create();
aes.Key = aesKey;
var hmacSalt = RandomNumberGenerator.GetBytes(16);
var clientSecret = "bench-baseline-client-secret";
var secretHash = HMACSHA256.HashData(hmacSalt, Encoding.UTF8.GetBytes(clientSecret));
var modulus = Base64Url.EncodeToString(rsa.ExportParameters(false).Modulus!);
var origin = $"https://localhost:{port}";

static string B64(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);
static byte[] Unb64(JsonNode? node) => Base64Url.DecodeFromChars((node?.GetValue<string>() ?? "").AsSpan());
static async Task<JsonNode> BodyAsync(HttpRequest request) =>
    await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) ?? new JsonObject();
static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), "application/json; charset=utf-8");
JsonObject Attributes() => new()
{
    ["enabled"] = true, ["created"] = Now(), ["updated"] = Now(),
    ["recoverableDays"] = 90, ["recoveryLevel"] = "Recoverable+Purgeable",
};
JsonObject SecretBundle(string name, string value) => new()
{
    ["value"] = value,
    ["contentType"] = "text/plain",
    ["id"] = $"{origin}/secrets/{name}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}",
    ["attributes"] = Attributes(),
    ["tags"] = new JsonObject { ["team"] = "bench" },
};
var kid = $"{origin}/keys/bench-rsa/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

// (a) HTTP ceilings: JSON bodies shaped and sized like a secret bundle / an RSA key bundle.
var secretValue = new string('s', 64);
app.MapGet("/json/secret", () => Json(SecretBundle("bench-secret", secretValue)));
app.MapPut("/json/secret", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    return Json(SecretBundle("bench-set", body["value"]?.GetValue<string>() ?? ""));
});
app.MapGet("/json/key", () => Json(new JsonObject
{
    ["key"] = new JsonObject
    {
        ["kid"] = kid, ["kty"] = "RSA",
        ["key_ops"] = new JsonArray("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"),
        ["n"] = modulus, ["e"] = "AQAB",
    },
    ["attributes"] = Attributes(),
}));

// (b) crypto ceilings: the same raw operation Keyhub performs, on the same input sizes.
app.MapPost("/rsa/sign", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var signature = rsa.SignHash(Unb64(body["value"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(signature) });
});
app.MapPost("/rsa/verify", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var ok = rsa.VerifyHash(Unb64(body["digest"]), Unb64(body["value"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    return Json(new JsonObject { ["value"] = ok });
});
app.MapPost("/rsa/wrapkey", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var wrapped = rsa.Encrypt(Unb64(body["value"]), RSAEncryptionPadding.OaepSHA256);
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(wrapped) });
});
app.MapPost("/rsa/unwrapkey", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var key = rsa.Decrypt(Unb64(body["value"]), RSAEncryptionPadding.OaepSHA256);
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(key) });
});
app.MapPost("/ec/sign", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var signature = ec.SignHash(Unb64(body["value"]), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(signature) });
});
app.MapPost("/aes/wrapkey", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    // .NET only ships RFC 5649 (padded) key wrap; for a 32-byte key it costs the same AES rounds as RFC 3394.
    var wrapped = aes.EncryptKeyWrapPadded(Unb64(body["value"]));
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(wrapped) });
});
app.MapPost("/aes/encrypt", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var plaintext = Unb64(body["value"]);
    var iv = RandomNumberGenerator.GetBytes(12);
    var tag = new byte[16];
    var ciphertext = new byte[plaintext.Length];
    using (var gcm = new AesGcm(aesKey, 16))
    {
        gcm.Encrypt(iv, plaintext, ciphertext, tag);
    }
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(ciphertext), ["iv"] = B64(iv), ["tag"] = B64(tag) });
});
app.MapPost("/aes/decrypt", async (HttpRequest request) =>
{
    var body = await BodyAsync(request);
    var ciphertext = Unb64(body["value"]);
    var plaintext = new byte[ciphertext.Length];
    using (var gcm = new AesGcm(aesKey, 16))
    {
        gcm.Decrypt(Unb64(body["iv"]), ciphertext, Unb64(body["tag"]), plaintext);
    }
    return Json(new JsonObject { ["kid"] = kid, ["value"] = B64(plaintext) });
});
// Token issuance ceiling: read the form, check the secret (salted HMAC-SHA256, as Keyhub), sign an ES256 JWT.
app.MapPost("/token", async (HttpRequest request) =>
{
    var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
    var presented = HMACSHA256.HashData(hmacSalt, Encoding.UTF8.GetBytes(form["client_secret"].ToString()));
    if (!CryptographicOperations.FixedTimeEquals(presented, secretHash))
    {
        return Results.Json(new { error = "invalid_client" }, statusCode: 401);
    }
    var now = Now();
    var header = B64("""{"alg":"ES256","typ":"JWT","kid":"baseline"}"""u8);
    var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["aud"] = "https://localhost", ["iss"] = $"{origin}/tenant/v2.0", ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600,
        ["appid"] = form["client_id"].ToString(), ["oid"] = Guid.NewGuid().ToString(), ["sub"] = Guid.NewGuid().ToString(),
        ["tid"] = Guid.NewGuid().ToString(), ["ver"] = "2.0", ["jti"] = Guid.NewGuid().ToString(),
    }));
    var signingInput = $"{header}.{payload}";
    var signature = tokenKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    return Json(new JsonObject
    {
        ["token_type"] = "Bearer", ["expires_in"] = 3600, ["ext_expires_in"] = 3600,
        ["access_token"] = $"{signingInput}.{B64(signature)}",
    });
});

await app.StartAsync();
Console.WriteLine("Baseline ready");
await app.WaitForShutdownAsync();
return 0;
