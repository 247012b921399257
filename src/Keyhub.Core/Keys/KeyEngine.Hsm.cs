using System.Security.Cryptography;
using Keyhub.Core.Objects;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Keys;

/// <summary>Premium vaults' -HSM keys: created or imported into the HSM, used there, destroyed there when purged.</summary>
public sealed partial class KeyEngine
{
    private IHsmKeys RequireHsm() =>
        hsm ?? throw new Errors.KeyhubException(503, "ServiceUnavailable", "The HSM that holds this vault's keys is not available (the deployment was unsealed without it).");

    /// <summary>
    /// Creates (from <paramref name="imported"/>, or new) the HSM object and stores the version pointing to it. The
    /// object is destroyed again if the version cannot be stored.
    /// </summary>
    private async Task<KeyVersion> AddInHsmAsync(
        VaultProperties vault, string name, string kty, int size, string? curve, KeyMaterial? imported, List<string> ops,
        IReadOnlyDictionary<string, string>? tags, bool? enabled, DateTimeOffset? notBefore, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        var token = RequireHsm();
        var id = RandomNumberGenerator.GetBytes(16);
        var label = $"keyhub:{vault.Name}/{Names.Normalize(name)}";
        KeyMaterial publicKey;
        try
        {
            publicKey = CreateObject(token, id, label, kty, size, curve, imported);
        }
        catch (HsmMechanismUnsupportedException ex)
        {
            throw E.BadParameter($"The HSM cannot hold {kty}-HSM keys of this kind ({(curve ?? size.ToString(System.Globalization.CultureInfo.InvariantCulture))}): it does not offer {ex.Mechanism}.");
        }
        finally
        {
            imported?.Clear();
        }
        var payload = new KeyVersionPayload(publicKey, ops, tags?.ToDictionary(), notBefore?.ToUnixTimeSeconds(), expires?.ToUnixTimeSeconds(), HsmId: id, HsmSize: kty == KeyTypes.Oct ? size : null);
        try
        {
            return ToKey(await _objects.AddVersionAsync(vault, name, payload, enabled ?? true, expires, cancellationToken));
        }
        catch
        {
            token.Destroy(id);
            throw;
        }
    }

    private static KeyMaterial CreateObject(IHsmKeys token, byte[] id, string label, string kty, int size, string? curve, KeyMaterial? imported)
    {
        switch (kty)
        {
            case KeyTypes.Rsa:
            {
                RSAParameters pub;
                if (imported is null)
                {
                    pub = token.GenerateRsa(id, label, size);
                }
                else
                {
                    token.ImportRsa(id, label, new RSAParameters
                    {
                        Modulus = imported.N, Exponent = imported.E, D = imported.D, P = imported.P, Q = imported.Q,
                        DP = imported.DP, DQ = imported.DQ, InverseQ = imported.QI,
                    });
                    pub = new RSAParameters { Modulus = imported.N!.ToArray(), Exponent = imported.E!.ToArray() };
                }
                return new KeyMaterial { Kty = KeyTypes.Rsa, N = pub.Modulus, E = pub.Exponent };
            }
            case KeyTypes.Ec:
            {
                ECPoint point;
                if (imported is null)
                {
                    point = token.GenerateEc(id, label, curve!);
                }
                else
                {
                    token.ImportEc(id, label, curve!, new ECParameters
                    {
                        Curve = Curves.ToCurve(curve!),
                        Q = new ECPoint { X = imported.X, Y = imported.Y },
                        D = imported.D,
                    });
                    point = new ECPoint { X = imported.X!.ToArray(), Y = imported.Y!.ToArray() };
                }
                return new KeyMaterial { Kty = KeyTypes.Ec, Crv = curve, X = point.X, Y = point.Y };
            }
            default:
                if (imported is not null)
                {
                    throw E.BadParameter("oct-HSM keys are generated in the HSM; importing a symmetric key into it is not supported.");
                }
                token.GenerateAes(id, label, size / 8);
                return new KeyMaterial { Kty = KeyTypes.Oct };
        }
    }

    private KeyOperationResult OperateInHsm(ObjectVersion<KeyVersionPayload> key, string operation, KeyOperationInput input)
    {
        var token = RequireHsm();
        var hsmKey = ToHsmKey(key.Payload);
        if (operation == KeyOperations.Encrypt)
        {
            var parts = HsmKeyCrypto.Encrypt(token, hsmKey, input);
            return new KeyOperationResult(key.Name, key.Version, parts.Value) { Iv = parts.Iv, AuthenticationTag = parts.Tag, AdditionalAuthenticatedData = parts.Aad };
        }
        var value = operation switch
        {
            KeyOperations.Decrypt => HsmKeyCrypto.Decrypt(token, hsmKey, input),
            KeyOperations.WrapKey => HsmKeyCrypto.WrapKey(token, hsmKey, input),
            KeyOperations.UnwrapKey => HsmKeyCrypto.UnwrapKey(token, hsmKey, input),
            KeyOperations.Sign => HsmKeyCrypto.Sign(token, hsmKey, input),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        return new KeyOperationResult(key.Name, key.Version, value);
    }

    private static HsmKey ToHsmKey(KeyVersionPayload payload) =>
        new(payload.HsmId!, payload.Material, payload.HsmSize ?? payload.Material.Size);

    /// <summary>An -HSM key's material cannot leave the HSM, so there is nothing a backup could carry.</summary>
    private static void RefuseHsmBackup(string name, KeyVersionPayload? latest)
    {
        if (latest?.HsmId is not null)
        {
            throw E.BadParameter($"Key {name} is an HSM key: its material never leaves the HSM, so it cannot be backed up.");
        }
    }

    /// <summary>After a vault purge: the HSM objects of every -HSM key version among the removed records.</summary>
    public void DestroyHsmObjectsOf(IReadOnlyList<Storage.StoredRecord> removed)
    {
        if (hsm is null)
        {
            return;
        }
        var versions = removed
            .Where(r => r.Key.Kind == ObjectKind.Key.VersionKind)
            .Select(r => Storage.SealedJson.Decrypt<KeyVersionPayload>(seal.Barrier, r))
            .ToList();
        DestroyHsmObjects(hsm, versions);
    }

    /// <summary>After a purge: the HSM objects of the purged versions go too (a leftover object would only be unreachable).</summary>
    private static void DestroyHsmObjects(IHsmKeys token, IReadOnlyList<KeyVersionPayload> versions)
    {
        foreach (var version in versions)
        {
            version.Material.Clear();
            if (version.HsmId is { } id)
            {
                token.Destroy(id);
            }
        }
    }
}
