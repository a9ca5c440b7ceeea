import { createApp } from 'vue'
import { createRouter, createWebHashHistory } from 'vue-router'
import App from './App.vue'
import SearchView from './views/SearchView.vue'
import RecordView from './views/RecordView.vue'
import ReviewView from './views/ReviewView.vue'
import DashboardView from './views/DashboardView.vue'
import './style.css'

const router = createRouter({
  // Hash routes: a deep link (#/records/J012-…) needs nothing from the server but index.html.
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/search' },
    { path: '/search', name: 'search', component: SearchView, meta: { title: '检索' } },
    { path: '/records/:reference', name: 'record', component: RecordView, meta: { title: '档案详情' } },
    { path: '/review/:id?', name: 'review', component: ReviewView, meta: { title: '待审核' } },
    { path: '/dashboard', name: 'dashboard', component: DashboardView, meta: { title: '统计' } },
    { path: '/:rest(.*)*', redirect: '/search' },
  ],
})

router.afterEach((to) => {
  document.title = `${to.meta.title || '档案'} · 档案工作台`
})

createApp(App).use(router).mount('#app')
