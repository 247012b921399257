using System.Text;
using Keyhub.Core.Errors;

namespace Keyhub.Core.Objects;

/// <summary>
/// What differs between secrets, keys and (later) certificates in the shared versioned-object
/// machinery: record kinds, the names used in Azure's error codes and messages, and the backup purpose.
/// </summary>
public sealed record ObjectKind(string Noun, string HeadKind, string VersionKind, string DeletedCollection)
{
    public static readonly ObjectKind Secret = new("Secret", "secret", "secret-version", "deletedsecrets");
    public static readonly ObjectKind Key = new("Key", "key", "key-version", "deletedkeys") { AttachedKinds = ["key-policy", "key-event"] };
    public static readonly ObjectKind Certificate = new("Certificate", "certificate", "certificate-version", "deletedcertificates")
    {
        AttachedKinds = ["certificate-policy", "certificate-operation", "certificate-event"],
    };

    /// <summary>Record kinds keyed by the same name that go when the object is purged (e.g. a key's rotation policy).</summary>
    public IReadOnlyList<string> AttachedKinds { get; init; } = [];

    /// <summary>Associated data of backup blobs: a secret's backup cannot be restored as a key.</summary>
    public byte[] BackupAssociatedData => Encoding.UTF8.GetBytes($"keyhub/backup/{HeadKind}/v1");

    private string Lower => Noun.ToLowerInvariant();

    public KeyhubException NotFound(string name, string? version = null) => Errors.Errors.NotFound(
        $"{Noun}NotFound",
        version is null
            ? $"A {Lower} with (name/id) {name} was not found in this key vault. If you recently deleted this {Lower} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
            : $"A {Lower} with (name/id) {name}/{version} was not found in this key vault.");

    public KeyhubException DeletedNotFound(string name) => Errors.Errors.NotFound($"{Noun}NotFound", $"Deleted {Noun} not found: {name}");

    public KeyhubException DeletedConflict(string name) => Errors.Errors.Conflict(
        $"{Noun} {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the {Lower} can only be recovered or purged.",
        "ObjectIsDeletedButRecoverable");
}
