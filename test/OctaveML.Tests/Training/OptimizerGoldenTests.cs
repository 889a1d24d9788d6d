using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

/// <summary>SGD and AdamW against torch.optim (tools/golden/gen_optim.py writes the data).</summary>
public class OptimizerGoldenTests
{
    private const int Steps = 5;
    private static readonly string[] Names = ["w", "b", "bn"];

    // The hyper-parameters of gen_optim.py's cases: (case, factory, base lr, lr varies per step).
    public static TheoryData<string> Cases => new()
    {
        "sgd_plain", "sgd_momentum", "sgd_dampening", "sgd_nesterov", "sgd_wd", "sgd_nesterov_wd_nodecay",
        "adamw", "adamw_betas", "adamw_nodecay", "sgd_cycled_momentum", "adamw_cycled_beta1",
    };

    private static (Optimizer Opt, double BaseLr, bool Varies) Make(string name, List<(string, Parameter)> ps) => name switch
    {
        "sgd_plain" => (new Sgd(ps, 0.1), 0.1, false),
        "sgd_momentum" => (new Sgd(ps, 0.05, momentum: 0.9), 0.05, true),
        "sgd_dampening" => (new Sgd(ps, 0.05, momentum: 0.8, dampening: 0.3), 0.05, false),
        "sgd_nesterov" => (new Sgd(ps, 0.05, momentum: 0.9, nesterov: true), 0.05, false),
        "sgd_wd" => (new Sgd(ps, 0.05, momentum: 0.9, weightDecay: 0.01), 0.05, false),
        "sgd_nesterov_wd_nodecay" => (new Sgd(ps, 0.05, momentum: 0.9, weightDecay: 0.05, nesterov: true, noWeightDecayOnBiasAndNorm: true), 0.05, false),
        "adamw" => (new AdamW(ps, 0.01, weightDecay: 0.01), 0.01, true),
        "adamw_betas" => (new AdamW(ps, 0.003, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1), 0.003, false),
        "adamw_nodecay" => (new AdamW(ps, 0.01, weightDecay: 0.05, noWeightDecayOnBiasAndNorm: true), 0.01, false),
        "sgd_cycled_momentum" => (new Sgd(ps, 0.05, momentum: 0.95), 0.05, true),
        "adamw_cycled_beta1" => (new AdamW(ps, 0.01, weightDecay: 0.01), 0.01, true),
        _ => throw new ArgumentException(name),
    };

    private static List<(string, Parameter)> Initial()
    {
        var g = Golden.Load("optim");
        return Names.Select(n => (n, new Parameter(g["inputs/" + n].Clone()))).ToList();
    }

    private static void Feed(List<(string Name, Parameter P)> ps, int t)
    {
        var g = Golden.Load("optim");
        foreach (var (n, p) in ps) p.Grad.CopyFrom(g[$"inputs/grad{t}.{n}"]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_step_matches_PyTorch(string name)
    {
        var g = Golden.Load("optim");
        var ps = Initial();
        var (opt, lr, varies) = Make(name, ps);
        for (int t = 0; t < Steps; t++)
        {
            opt.LearningRate = varies ? lr * (1 - 0.15 * t) : lr;
            if (name == "sgd_cycled_momentum") ((Sgd)opt).Momentum = 0.95 - 0.03 * t;
            if (name == "adamw_cycled_beta1") ((AdamW)opt).Beta1 = 0.95 - 0.03 * t;
            Feed(ps, t);
            opt.Step();
            foreach (var (n, p) in ps)
                Close.Assert(p.Value, g[$"{name}/step{t}.{n}"], $"{name} step {t} {n}", rtol: 1e-5f, atol: 1e-6f);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void State_dict_resumes_bit_identically(string name)
    {
        var straight = Initial();
        var (a, _, _) = Make(name, straight);
        for (int t = 0; t < Steps; t++) { Feed(straight, t); a.Step(); }

        var first = Initial();
        var (b, _, _) = Make(name, first);
        for (int t = 0; t < 2; t++) { Feed(first, t); b.Step(); }
        var saved = b.StateDict();
        // A fresh optimizer over fresh parameter objects holding the same values: what resuming does.
        var resumed = first.Select(x => (x.Item1, new Parameter(x.Item2.Value.Clone()))).ToList();
        var (c, _, _) = Make(name, resumed);
        c.LoadState(saved);
        for (int t = 2; t < Steps; t++) { Feed(resumed, t); c.Step(); }

        for (int i = 0; i < straight.Count; i++)
            resumed[i].Item2.Value.Data.Should().Equal(straight[i].Item2.Value.Data, $"{name} {straight[i].Item1}");
    }

    [Fact]
    public void Load_state_rejects_foreign_keys_and_shapes()
    {
        var ps = Initial();
        var sgd = new Sgd(ps, 0.1, momentum: 0.9);
        FluentActions.Invoking(() => sgd.LoadState(new Dictionary<string, Tensor> { ["nope.momentum_buffer"] = new Tensor(6) }))
            .Should().Throw<ArgumentException>().WithMessage("*nope.momentum_buffer*");
        FluentActions.Invoking(() => sgd.LoadState(new Dictionary<string, Tensor> { ["b.momentum_buffer"] = new Tensor(7) }))
            .Should().Throw<ArgumentException>().WithMessage("*b.momentum_buffer*7*6*");
        var adam = new AdamW(ps);
        FluentActions.Invoking(() => adam.LoadState(new Dictionary<string, Tensor> { ["b.exp_avg"] = new Tensor(6) }))
            .Should().Throw<ArgumentException>().WithMessage("*incomplete*");
    }

    [Fact]
    public void Bad_hyper_parameters_are_rejected_naming_the_argument()
    {
        var ps = Initial();
        FluentActions.Invoking(() => new Sgd(ps, -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        FluentActions.Invoking(() => new Sgd(ps, 0.1, nesterov: true)).Should().Throw<ArgumentException>().WithParameterName("nesterov");
        FluentActions.Invoking(() => new AdamW(ps, beta1: 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("beta1");
    }

    [Fact]
    public void Large_tensors_update_exactly_as_their_pieces_do()
    {
        // Above the parallel threshold the update is split in chunks; it is element-wise, so one
        // big tensor must end bit-identical to the same values updated as small (inline) pieces.
        const int n = 300_001, piece = 1000;
        var rng = new Rng(5);
        var w = new Tensor(n); rng.FillNormal(w.Data, 0, 1);
        var grad = new Tensor(n); rng.FillNormal(grad.Data, 0, 1);
        var big = new Parameter(w.Clone()); big.Grad.CopyFrom(grad);
        var pieces = new List<(string, Parameter)>();
        for (int s = 0; s < n; s += piece)
        {
            int len = Math.Min(piece, n - s);
            var p = new Parameter(new Tensor(w.Data.AsSpan(s, len).ToArray(), len));
            grad.Data.AsSpan(s, len).CopyTo(p.Grad.Data);
            pieces.Add(("p" + s, p));
        }
        foreach (var make in new Func<IEnumerable<(string, Parameter)>, Optimizer>[]
                 { ps => new AdamW(ps, 0.01), ps => new Sgd(ps, 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4) })
        {
            var a = make([("w", big)]); var b = make(pieces);
            for (int t = 0; t < 3; t++) { a.Step(); b.Step(); }
        }
        big.Value.Data.Should().Equal(pieces.SelectMany(x => x.Item2.Value.Data));
    }
}
