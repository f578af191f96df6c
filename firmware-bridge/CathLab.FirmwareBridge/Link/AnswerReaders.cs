using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Link;

internal delegate T AnswerReader<T>(ref PayloadReader reader);

/// <summary>Reads an Ack's answer fields; a malformed answer is the generator's protocol error.</summary>
internal static class AnswerReaders
{
    public static T Read<T>(MessageType command, byte[] answer, AnswerReader<T> read)
    {
        try
        {
            var r = new PayloadReader(answer);
            T value = read(ref r);
            r.End();
            return value;
        }
        catch (MalformedPayloadException e)
        {
            throw new GeneratorProtocolException($"malformed answer to {command}: {e.Message}", e);
        }
    }
}

/// <summary>A technique as SetTechnique's payload.</summary>
internal static class TechniqueCodec
{
    public static byte[] Encode(TechniqueSetting setting)
    {
        var payload = new byte[16];
        var w = new PayloadWriter(payload);
        setting.Write(ref w);
        return payload.AsSpan(0, w.Length).ToArray();
    }
}
