import { gradcheckConformance } from '../conformance/gradcheck.js';

gradcheckConformance('js');
