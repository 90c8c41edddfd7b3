import { gradgradcheckConformance } from '../conformance/gradgradcheck.js';

gradgradcheckConformance('js');
