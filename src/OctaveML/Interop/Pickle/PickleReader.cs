using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace OctaveML.Interop.Pickle;

/// <summary>
/// Reads one Python pickle (protocols 2 to 5, the opcodes in <see cref="PickleOpcode"/>) into plain
/// values (see <see cref="PickleValues"/>). It never runs code: globals, calls, BUILD and persistent
/// ids go to an <see cref="IPickleResolver"/>, which decides what they mean or refuses them. Every
/// length is checked against the bytes the pickle may use before anything is allocated, and the
/// machine is a loop (no recursion), so a corrupt or hostile pickle ends in an
/// <see cref="InvalidDataException"/>, never a crash, a hang or an unbounded allocation.
/// </summary>
internal sealed class PickleReader
{
    private const int MaxLineBytes = 1024; // GLOBAL's module and name lines
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly long _length;
    private readonly string _where;
    private readonly IPickleResolver _resolver;
    private readonly Dictionary<long, object?> _memo = new();
    private readonly Stack<List<object?>> _metastack = new();
    private List<object?> _stack = new();
    private long _pos;
    private long _op; // offset of the opcode being run, for messages

    private PickleReader(Stream stream, long length, string where, IPickleResolver resolver)
    {
        _stream = stream; _length = length; _where = where; _resolver = resolver;
    }

    /// <summary>
    /// Reads one pickle, through its STOP opcode, from the current position of <paramref name="stream"/>,
    /// using at most <paramref name="length"/> bytes; the stream is left just after the STOP.
    /// <paramref name="where"/> names the pickle in messages ("data.pkl").
    /// </summary>
    public static object? Load(Stream stream, long length, string where, IPickleResolver resolver) =>
        new PickleReader(stream, length, where, resolver).Run();

    private object? Run()
    {
        while (true)
        {
            _op = _pos;
            var op = (PickleOpcode)ReadByte();
            switch (op)
            {
                case PickleOpcode.Proto:
                    int protocol = ReadByte();
                    if (protocol > 5) throw Error($"pickle protocol {protocol} is newer than 5");
                    break;
                case PickleOpcode.Frame: CheckLength(ReadInt64(), "a frame"); break;
                case PickleOpcode.Stop: return Pop();

                case PickleOpcode.Mark: _metastack.Push(_stack); _stack = new(); break;
                case PickleOpcode.Pop: if (_stack.Count > 0) Pop(); else PopMark(); break;
                case PickleOpcode.PopMark: PopMark(); break;
                case PickleOpcode.Dup: Push(Top()); break;

                case PickleOpcode.None: Push(null); break;
                case PickleOpcode.NewTrue: Push(true); break;
                case PickleOpcode.NewFalse: Push(false); break;
                case PickleOpcode.BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, "an int"))); break;
                case PickleOpcode.BinInt1: Push((long)ReadByte()); break;
                case PickleOpcode.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, "an int"))); break;
                case PickleOpcode.Long1: Push(ReadLong(ReadByte())); break;
                case PickleOpcode.Long4: Push(ReadLong(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, "a long's length")))); break;
                case PickleOpcode.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8, "a float"))); break;

                case PickleOpcode.ShortBinString or PickleOpcode.ShortBinUnicode: Push(ReadString(ReadByte())); break;
                case PickleOpcode.BinString: Push(ReadString(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, "a string's length")))); break;
                case PickleOpcode.BinUnicode: Push(ReadString(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, "a string's length")))); break;
                case PickleOpcode.BinUnicode8: Push(ReadString(ReadInt64())); break;
                case PickleOpcode.ShortBinBytes: Push(ReadBytes(ReadByte(), "bytes")); break;
                case PickleOpcode.BinBytes: Push(ReadBytes(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, "a bytes length")), "bytes")); break;
                case PickleOpcode.BinBytes8: Push(ReadBytes(ReadInt64(), "bytes")); break;

                case PickleOpcode.EmptyTuple: Push(Array.Empty<object?>()); break;
                case PickleOpcode.Tuple: Push(PopMark().ToArray()); break;
                case PickleOpcode.Tuple1: Push(new[] { Pop() }); break;
                case PickleOpcode.Tuple2: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case PickleOpcode.Tuple3: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }

                case PickleOpcode.EmptyList: Push(new List<object?>()); break;
                case PickleOpcode.List: Push(PopMark()); break;
                case PickleOpcode.Append: { var v = Pop(); TopList().Add(v); break; }
                case PickleOpcode.Appends: { var items = PopMark(); TopList().AddRange(items); break; }

                case PickleOpcode.EmptyDict: Push(new PickleDict()); break;
                case PickleOpcode.Dict: { var d = new PickleDict(); SetItems(d, PopMark()); Push(d); break; }
                case PickleOpcode.SetItem: { var v = Pop(); var k = Pop(); TopDict().Set(k, v); break; }
                case PickleOpcode.SetItems: { var items = PopMark(); SetItems(TopDict(), items); break; }

                case PickleOpcode.Global: { string module = ReadLine(); string name = ReadLine(); Push(_resolver.Global(module, name)); break; }
                case PickleOpcode.StackGlobal:
                {
                    if (Pop() is not string name || Pop() is not string module) throw Error("STACK_GLOBAL needs two strings");
                    Push(_resolver.Global(module, name));
                    break;
                }
                case PickleOpcode.Reduce: { var args = PopTuple("REDUCE"); Push(_resolver.Call(Pop(), args)); break; }
                case PickleOpcode.NewObj: { var args = PopTuple("NEWOBJ"); Push(_resolver.Call(Pop(), args)); break; }
                case PickleOpcode.NewObjEx:
                {
                    if (Pop() is not PickleDict { Count: 0 }) throw Error("NEWOBJ_EX with keyword arguments");
                    var args = PopTuple("NEWOBJ_EX");
                    Push(_resolver.Call(Pop(), args));
                    break;
                }
                case PickleOpcode.Build: { var state = Pop(); var target = Pop(); Push(_resolver.Build(target, state)); break; }
                case PickleOpcode.BinPersId: Push(_resolver.PersistentLoad(Pop())); break;

                case PickleOpcode.BinPut: _memo[ReadByte()] = Top(); break;
                case PickleOpcode.LongBinPut: _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, "a memo index"))] = Top(); break;
                case PickleOpcode.Memoize: _memo[_memo.Count] = Top(); break;
                case PickleOpcode.BinGet: Push(Memo(ReadByte())); break;
                case PickleOpcode.LongBinGet: Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, "a memo index")))); break;

                default:
                    throw Error(Enum.IsDefined(op) ? $"opcode {op} is not supported here" : $"0x{(byte)op:x2} is not a pickle opcode a state dict uses");
            }
        }
    }

    private InvalidDataException Error(string what) => new($"{_where}, byte {_op}: {what}.");

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0) throw Error("the pickle pops an empty stack");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Top() => _stack.Count > 0 ? _stack[^1] : throw Error("the pickle reads an empty stack");

    private List<object?> PopMark()
    {
        if (_metastack.Count == 0) throw Error("the pickle has no MARK to pop to");
        var items = _stack;
        _stack = _metastack.Pop();
        return items;
    }

    private object?[] PopTuple(string op) =>
        Pop() as object?[] ?? throw Error($"{op}'s arguments are not a tuple");

    private List<object?> TopList() => Top() as List<object?> ?? throw Error($"appends to {PickleValues.Describe(Top())}, not a list");

    private PickleDict TopDict() => Top() as PickleDict ?? throw Error($"sets items of {PickleValues.Describe(Top())}, not a dict");

    private void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Error("a dict's items are not key-value pairs");
        for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
    }

    private object? Memo(long index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Error($"memo entry {index} is read before it is written");

    private int ReadByte()
    {
        if (_pos >= _length) throw Error("the data ends before the pickle's STOP opcode");
        int b = _stream.ReadByte();
        if (b < 0) throw Error("the data ends before the pickle's STOP opcode");
        _pos++;
        return b;
    }

    private long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8, "a length"));

    private void CheckLength(long n, string what)
    {
        if (n < 0 || n > _length - _pos) throw Error($"{what} of {n} bytes runs past the end of the data ({_length - _pos} left)");
    }

    private byte[] ReadBytes(long n, string what)
    {
        CheckLength(n, what);
        var bytes = new byte[n];
        try { _stream.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw Error($"the data ends inside {what}"); }
        _pos += n;
        return bytes;
    }

    private object ReadLong(int n)
    {
        var value = new BigInteger(ReadBytes(n, "a long"), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string ReadString(long n)
    {
        var bytes = ReadBytes(n, "a string");
        try { return Utf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw Error("a string is not valid UTF-8"); }
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = ReadByte();
            if (b == '\n') break;
            if (bytes.Count == MaxLineBytes) throw Error($"a GLOBAL name is longer than {MaxLineBytes} bytes");
            bytes.Add((byte)b);
        }
        try { return Utf8.GetString(bytes.ToArray()); }
        catch (DecoderFallbackException) { throw Error("a GLOBAL name is not valid UTF-8"); }
    }
}
