using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.Seal;
using Keyhub.Pkcs11;

namespace Keyhub.Server.Hsm;

/// <summary>
/// Auto-unseal: a non-extractable AES-256 key in the HSM wraps the root key with AES-GCM, computed inside the token.
/// Wrapped form: <c>0x01 ‖ iv (12) ‖ ciphertext ‖ tag (16)</c>.
/// </summary>
public sealed class Pkcs11Seal(Pkcs11Token token, HsmSealConfig config) : ISeal
{
    private const byte Version = 0x01;
    private const int IvSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] AssociatedData = Encoding.UTF8.GetBytes("keyhub/root-key/pkcs11");

    public string Kind => SealSettings.HsmKind;

    public Pkcs11Token Token => token;

    public HsmSealConfig Config => config;

    /// <summary>Creates the wrapping key in the token (sensitive, never extractable) and returns where it is.</summary>
    public static HsmSealConfig CreateKey(Pkcs11Token token, string library, string tokenLabel, string keyLabel)
    {
        var id = RandomNumberGenerator.GetBytes(16);
        token.GenerateAesKey(id, keyLabel, KeyRing.KeySize);
        return new HsmSealConfig(library, tokenLabel, keyLabel, id);
    }

    public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> rootKey, CancellationToken cancellationToken)
    {
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        var sealedKey = token.EncryptAesGcm(config.KeyId, iv, AssociatedData, rootKey.Span, TagSize);
        var output = new byte[1 + IvSize + sealedKey.Length];
        output[0] = Version;
        iv.CopyTo(output, 1);
        sealedKey.CopyTo(output, 1 + IvSize);
        return Task.FromResult(output);
    }

    public Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrappedRootKey, CancellationToken cancellationToken)
    {
        var wrapped = wrappedRootKey.Span;
        if (wrapped.Length != 1 + IvSize + KeyRing.KeySize + TagSize || wrapped[0] != Version)
        {
            throw new Pkcs11Exception("The stored root key is not wrapped by an HSM key.");
        }
        if (!token.Exists(config.KeyId))
        {
            throw new Pkcs11ObjectNotFoundException(
                $"The root key's wrapping key '{config.KeyLabel}' (id {Convert.ToHexString(config.KeyId)}) is not on HSM token '{config.TokenLabel}': it was deleted, or this is another token.");
        }
        return Task.FromResult(token.DecryptAesGcm(config.KeyId, wrapped.Slice(1, IvSize), AssociatedData, wrapped[(1 + IvSize)..], TagSize));
    }
}
