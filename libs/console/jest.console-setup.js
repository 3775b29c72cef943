// Console component tests: on two shared cores under load, a page of 100 PatternFly rows takes
// about a second to render in jsdom, so Testing Library's findBy/waitFor wait up to 5 s (the
// default of 1 s fails there) and each test up to 20 s.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 5_000 });
