using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace HighLoad.Api.Infrastructure.Jobs;

// Job ids the API can recognise as its own. A job id is a UUIDv7 (time-ordered, 58 random bits) whose last 16 bits
// are an HMAC of the rest and of the client it was issued to. If Redis lost a waiting job's status (a flush, the
// last second before a crash) and PostgreSQL has no result yet, the id alone proves the job was accepted for this
// client, so GET answers "queued" instead of 404; a made-up or another client's id still gets 404, without a lookup.
public sealed class JobIds
{
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public JobIds(IOptions<JobIntakeOptions> options, TimeProvider time)
    {
        _key = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.IdSigningKey));
        _time = time;
    }

    public Guid Issue(Guid clientId)
    {
        Span<byte> id = stackalloc byte[16];
        RandomNumberGenerator.Fill(id[6..14]);
        var milliseconds = _time.GetUtcNow().ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt64BigEndian(id[..8], (milliseconds << 16) | BinaryPrimitives.ReadUInt16BigEndian(id[6..8]));
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        Sign(clientId, id);
        return new Guid(id, bigEndian: true);
    }

    public bool IsIssuedTo(Guid jobId, Guid clientId)
    {
        Span<byte> id = stackalloc byte[16];
        jobId.TryWriteBytes(id, bigEndian: true, out _);
        if (id[6] >> 4 != 7)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[16];
        id.CopyTo(expected);
        Sign(clientId, expected);
        return id[14] == expected[14] && id[15] == expected[15];
    }

    // When a job was accepted: the UUIDv7's timestamp.
    public static DateTimeOffset CreatedAt(Guid jobId)
    {
        Span<byte> id = stackalloc byte[16];
        jobId.TryWriteBytes(id, bigEndian: true, out _);
        return DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(id[..8]) >> 16);
    }

    private void Sign(Guid clientId, Span<byte> id)
    {
        Span<byte> message = stackalloc byte[30];
        clientId.TryWriteBytes(message[..16], bigEndian: true, out _);
        id[..14].CopyTo(message[16..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, message, mac);
        id[14] = mac[0];
        id[15] = mac[1];
    }
}
