import { describe, expect, test } from "vitest";
import {
	Generator,
	ShapeError,
	gradcheck,
	linear,
	randn,
} from "../../src/index.js";

describe("linear (fused x·Wᵀ + b)", () => {
	const g = new Generator(7);
	test("matches the composition of matmul, transpose and add", () => {
		const x = randn([6, 5], { generator: g });
		const w = randn([3, 5], { generator: g });
		const b = randn([3], { generator: g });
		const fused = linear(x, w, b).dataSync();
		const composed = x.matmul(w.T).add(b).dataSync();
		for (let i = 0; i < fused.length; i++)
			expect(fused[i]).toBeCloseTo(composed[i]!, 5);
	});
	test("gradients with and without bias, and with leading batch axes", () => {
		expect(
			gradcheck(
				(x, w, b) => linear(x, w, b),
				[
					randn([4, 3], { generator: g }),
					randn([2, 3], { generator: g }),
					randn([2], { generator: g }),
				],
			).ok,
		).toBe(true);
		expect(
			gradcheck(
				(x, w) => linear(x, w),
				[randn([2, 3, 4], { generator: g }), randn([5, 4], { generator: g })],
			).ok,
		).toBe(true);
		// The input used twice: as data and inside the weight's product.
		expect(
			gradcheck(
				(x, w) => linear(x, w).sum(1).mul(x.sum(1)),
				[randn([3, 2], { generator: g }), randn([4, 2], { generator: g })],
			).ok,
		).toBe(true);
	});
	test("shape errors name both shapes", () => {
		expect(() => linear(randn([2, 3]), randn([4, 5]))).toThrow(ShapeError);
		expect(() => linear(randn([2, 3]), randn([4, 5]))).toThrow(
			/\[2, 3\].*\[4, 5\]/,
		);
		expect(() => linear(randn([2, 3]), randn([4, 3]), randn([5]))).toThrow(
			/bias \[5\]/,
		);
	});
});
