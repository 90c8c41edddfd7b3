import { int32Conformance } from '../conformance/int32.js';
import { kernelConformance } from '../conformance/kernels.js';
import { opConformance } from '../conformance/ops.js';

// The reference backend against the PyTorch fixtures, and against itself
// (the kernel suite is meant for other backends; on 'js' it checks the harness).
opConformance('js');
kernelConformance('js');
int32Conformance('js');
