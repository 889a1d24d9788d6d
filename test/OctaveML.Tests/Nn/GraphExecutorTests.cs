using OctaveML.Ops;
using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Tests.Nn;

public class GraphExecutorTests
{
    /// <summary>BN and an octave convolution straight on the images: neither can skip the images' gradient.</summary>
    private sealed class ImagesFirst : ImageClassifier
    {
        private readonly BatchNorm2d _bn = new(3);
        private readonly OctaveConv _conv;
        private readonly GlobalAvgPool2d _pool = new();
        private readonly Linear _fc;

        public ImagesFirst()
        {
            var random = new Random(3);
            RegisterModule("bn", _bn);
            _conv = RegisterModule("conv", new OctaveConv(3, 8, 3, 0, 0, 1, 1, random: random));
            _fc = RegisterModule("fc", new Linear(8, 4, random: random));
        }

        public override int InChannels => 3;
        public override int NumClasses => 4;

        public override Value Forward(Graph graph, Value images) =>
            _fc.Forward(graph, _pool.Forward(graph, _conv.Forward(graph, _bn.Forward(graph, images)).High));
    }

    [Fact]
    public void Layers_that_must_write_the_images_gradient_get_scratch_for_it()
    {
        float[] Run(PlanOptions options)
        {
            var model = new ImagesFirst();
            model.Executor.Options = options;
            var x = new Tensor(2, 3, 6, 6);
            new Rng(5).FillNormal(x.Data, 0, 1);
            var y = model.Forward(x);
            var g = new Tensor(2, 4);
            CrossEntropyKernel.ForwardBackward(2, 4, y.Data, [1, 3], g.Data);
            model.Backward(g);
            return model.Parameters().SelectMany(p => p.Grad.Data).ToArray();
        }
        var planned = Run(new PlanOptions());
        planned.Should().Contain(v => v != 0);
        planned.Should().Equal(Run(new PlanOptions(ReuseMemory: false, Recompute: false)));
    }

    [Fact]
    public void A_layer_used_twice_in_one_forward_is_refused()
    {
        var pool = new MaxPool2d(2);
        var graph = new Graph();
        var x = graph.Input([1, 2, 4, 4]);
        pool.Forward(graph, x);
        FluentActions.Invoking(() => pool.Forward(graph, x)).Should().Throw<InvalidOperationException>().WithMessage("*twice*");
    }
}
