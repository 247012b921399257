namespace Keyhub.Core.Storage;

/// <summary>
/// Identity of one stored record. <see cref="Name"/> is already normalised (lower case) by the engines,
/// so the store compares it byte for byte.
/// </summary>
public sealed record RecordKey(string Vault, string Kind, string Name, string Version)
{
    /// <summary>
    /// Length-prefixed UTF-8 encoding of the identity, used as AES-GCM associated data so that a
    /// ciphertext copied into another row fails to decrypt.
    /// </summary>
    public byte[] ToAssociatedData()
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var part in new[] { Vault, Kind, Name, Version })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(part);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }
}
