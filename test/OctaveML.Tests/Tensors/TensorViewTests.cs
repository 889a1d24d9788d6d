using OctaveML.Tensors;

namespace OctaveML.Tests.Tensors;

public class TensorViewTests
{
    [Fact]
    public void A_view_reads_and_writes_its_slice_and_refuses_to_hand_out_the_whole_array()
    {
        var storage = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var view = Tensor.View(storage, 4, 1, 1, 2, 2);
        view.Length.Should().Be(4);
        view.Span.ToArray().Should().Equal(4f, 5f, 6f, 7f);
        view[0, 0, 1, 0].Should().Be(6f);
        FluentActions.Invoking(() => view.Data).Should().Throw<InvalidOperationException>().WithMessage("*view*Span*");

        view.Reshape(4).Span.ToArray().Should().Equal(4f, 5f, 6f, 7f);
        var copy = view.Clone();
        copy.Data.Should().Equal(4f, 5f, 6f, 7f);
        view.Fill(-1);
        storage.Should().Equal(0f, 1f, 2f, 3f, -1f, -1f, -1f, -1f, 8f, 9f);
        copy.Data.Should().Equal(4f, 5f, 6f, 7f);
    }

    [Fact]
    public void A_view_must_fit_in_its_storage()
    {
        FluentActions.Invoking(() => Tensor.View(new float[10], 8, 4)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Tensor.View(new float[10], 0, 2, 2).Reshape(5)).Should().Throw<ArgumentException>().WithMessage("*5 elements*");
    }
}
